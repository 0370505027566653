import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { syntheticFleet } from '../../bench/syntheticFleet';
import { PostureBuilder } from '../../provider/report/postureBuilder';
import type { FleetPosture } from '../../provider/report/posture';
import { escapeLabelValue, renderPrometheus } from '../../provider/report/prometheusText';
import { renderJson } from '../../provider/report/reportJson';
import { ROOT } from '../helpers/midtrustCli';
import { promtool } from '../helpers/promtool';
import { needs } from '../helpers/requireTools';
import { CACERTS, NOW, cert, desired, endpoint, mid, store } from './reportFixtures';

const HOSTILE_SUBJECT = 'x" } evil{a="1"} \\ 1\nmidtrust_host_up{host="forged"} 1';

/** A small fleet with drift, a failed host and strings that try to break out of every format. */
function hostilePosture(): FleetPosture {
  const root = cert('ACME Root CA', 3000);
  const evil = cert(HOSTILE_SUBJECT, 10, false);
  const b = new PostureBuilder({ source: { kind: 'inventory', path: 'hosts.yaml' }, generator: 'midtrust test', now: NOW, desired: desired([['acme-root', root]]) });
  return b.build([
    b.observe({ name: 'mid-1', storePath: CACERTS, store: store([['acme-root', root], ['evil"\\alias\n', evil]]), mid: mid('migrate_non_ca') }),
    b.observe({ name: 'mid-2', storePath: CACERTS, store: store([]), mid: mid('migrate_delta') }),
    b.failed('mid-3', 'connection refused'),
  ]);
}

describe('Prometheus text', () => {
  const text = renderPrometheus(hostilePosture());

  it('escapes label values as the exposition format says: backslash, double quote, line feed', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(text).toContain('alias="evil\\"\\\\alias\\n"');
    // The hostile subject cannot start a line of its own: no forged sample.
    expect(text.split('\n').filter((l) => l.startsWith('midtrust_host_up{host="forged"'))).toEqual([]);
  });

  it('every family has HELP and TYPE, samples of a family together; a failed host is host_up 0 and nothing else', () => {
    const lines = text.trimEnd().split('\n');
    const families = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
    expect(families).toEqual([
      'midtrust_report_timestamp_seconds',
      'midtrust_host_up',
      'midtrust_store_entries',
      'midtrust_certificate_not_after_timestamp_seconds',
      'midtrust_store_drift',
      'midtrust_declared_certificates_missing',
      'midtrust_upgrade_lost_certificates',
      'midtrust_policy_violations',
    ]);
    expect(lines.filter((l) => l.startsWith('# HELP ')).length).toBe(families.length);
    expect(text).toContain(`midtrust_report_timestamp_seconds ${Math.floor(NOW.getTime() / 1000)}\n`);
    expect(text).toContain('midtrust_host_up{host="mid-3"} 0\n');
    expect(lines.filter((l) => l.includes('host="mid-3"'))).toEqual(['midtrust_host_up{host="mid-3"} 0']);
    expect(text).toContain('midtrust_store_drift{host="mid-2"} 1\n');
    expect(text).toContain('midtrust_declared_certificates_missing{host="mid-2"} 1\n');
    expect(text).toMatch(/midtrust_upgrade_lost_certificates\{host="mid-1"\} 1\n/);
    expect(text).toMatch(/midtrust_policy_violations\{host="mid-1",severity="error"\} \d+\n/);
  });
});

const HOSTILE_TARGET = 'https://evil"\\.example/x\n}';

/** Declared endpoints: trusted, not trusted, unreachable, broken by the upgrade; a target that tries to break out of a label. */
function endpointPosture(): FleetPosture {
  const root = cert('ACME Root CA', 3000);
  const targets = ['ldaps://ad.acme.example', HOSTILE_TARGET, 'proxy:8443'];
  const b = new PostureBuilder({ source: { kind: 'inventory', path: 'hosts.yaml' }, generator: 'midtrust test', now: NOW, desired: { ...desired([['acme-root', root]]), endpoints: targets }, incoming: { path: 'new/cacerts', store: store([]) } });
  const no = endpoint(false, { problems: [{ code: 'ROOT_NOT_TRUSTED', message: 'the root <script>alert(1)</script> is not trusted' }] });
  return b.build([
    b.observe({
      name: 'mid-1',
      storePath: CACERTS,
      store: store([['acme-root', root]]),
      mid: mid('migrate_delta'),
      endpoints: [
        { target: targets[0], ...endpoint(true), afterUpgrade: no },
        { target: targets[1], ...no, afterUpgrade: no },
        { target: targets[2], ...endpoint(null), afterUpgrade: endpoint(null) },
      ],
    }),
    b.failed('mid-2', 'connection refused'),
  ]);
}

describe('Prometheus text: declared endpoints', () => {
  const text = renderPrometheus(endpointPosture());

  it('endpoint families only when endpoints are declared; a missing verdict is checked 0 and no trusted sample', () => {
    expect(renderPrometheus(hostilePosture())).not.toContain('midtrust_endpoint');
    const families = text.split('\n').filter((l) => l.startsWith('# TYPE midtrust_endpoint')).map((l) => l.split(' ')[2]);
    expect(families).toEqual(['midtrust_endpoint_checked', 'midtrust_endpoint_trusted', 'midtrust_endpoint_trusted_after_upgrade']);
    expect(text).toContain('midtrust_endpoint_trusted{host="mid-1",target="ldaps://ad.acme.example"} 1\n');
    expect(text).toContain('midtrust_endpoint_trusted_after_upgrade{host="mid-1",target="ldaps://ad.acme.example"} 0\n');
    expect(text).toContain('midtrust_endpoint_trusted{host="mid-1",target="https://evil\\"\\\\.example/x\\n}"} 0\n');
    expect(text).toContain('midtrust_endpoint_checked{host="mid-1",target="proxy:8443"} 0\n');
    expect(text).not.toMatch(/midtrust_endpoint_trusted(_after_upgrade)?\{host="mid-1",target="proxy:8443"\}/);
    // A failed host has host_up 0 and nothing else.
    expect(text.split('\n').filter((l) => l.includes('host="mid-2"'))).toEqual(['midtrust_host_up{host="mid-2"} 0']);
  });
});

needs('promtool').describe('promtool judges the metrics and the documented alert rules', () => {
  it('accepts the endpoint families, hostile target included', () => {
    const r = promtool(['check', 'metrics'], renderPrometheus(endpointPosture()));
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('accepts the exposition of a fleet with hostile strings (promtool check metrics)', () => {
    const r = promtool(['check', 'metrics'], renderPrometheus(hostilePosture()));
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('accepts the synthetic 60-host fleet too', () => {
    const f = syntheticFleet({ hosts: 60, certificatesPerHost: 30, declared: 8, privatePool: 80, now: NOW });
    const b = new PostureBuilder({ source: { kind: 'inventory', path: 'hosts.yaml' }, generator: 'midtrust test', now: NOW, desired: f.desired });
    const p = b.build([...f.observations.map((o) => b.observe(o)), ...[...f.failures].map(([n, e]) => b.failed(n, e))]);
    const r = promtool(['check', 'metrics'], renderPrometheus(p));
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('the alert rules in docs/prometheus pass check rules and their unit test (expiry < 30 days, endpoints not trusted, broken by the upgrade, unchecked)', () => {
    const dir = path.join(ROOT, 'docs', 'prometheus');
    const check = promtool(['check', 'rules', path.join(dir, 'midtrust-alerts.yml')]);
    expect(check.output).toMatch(/SUCCESS: 9 rules found/);
    expect(check.code).toBe(0);
    const test = promtool(['test', 'rules', path.join(dir, 'midtrust-alerts.test.yml')]);
    expect(test.output).toMatch(/SUCCESS/);
    expect(test.code).toBe(0);
  });

  it("the shipped alerts fire on the report's own metrics: a missing declared certificate (critical), drift, upgrade loss — and stay quiet for a host in sync", () => {
    needs('promtool');
    const root = cert('ACME Root CA', 3000);
    const proxy = cert('ACME Proxy CA', 2000);
    const b = new PostureBuilder({ source: { kind: 'inventory', path: 'hosts.yaml' }, generator: 'midtrust test', now: NOW, desired: desired([['acme-root', root], ['acme-proxy', proxy]]) });
    const posture = b.build([
      // mid-1: lost acme-proxy (the failure midtrust exists for); migrate_non_ca would also lose the CAs.
      b.observe({ name: 'mid-1', storePath: CACERTS, store: store([['acme-root', root]]), mid: mid('migrate_non_ca') }),
      // mid-2: everything declared is trusted, acme-proxy under another alias (renamed by hand): drift only.
      b.observe({ name: 'mid-2', storePath: CACERTS, store: store([['acme-root', root], ['proxy-by-hand', proxy]]), mid: mid('migrate_delta') }),
      // mid-3: in sync, migrate_delta keeps everything.
      b.observe({ name: 'mid-3', storePath: CACERTS, store: store([['acme-root', root], ['acme-proxy', proxy]]), mid: mid('migrate_delta') }),
    ]);
    // Every sample of the report becomes a constant series of promtool's unit test.
    const series = renderPrometheus(posture)
      .split('\n')
      .filter((l) => /^midtrust_(declared_certificates_missing|store_drift|upgrade_lost_certificates)\{/.test(l))
      .map((l) => {
        const at = l.lastIndexOf(' ');
        return `      - series: '${l.slice(0, at)}'\n        values: '${l.slice(at + 1)}+0x600'`;
      });
    expect(series.length).toBe(9);
    // The expected annotations: the rule's own templates with the host and value filled in.
    const rules = (YAML.parse(fs.readFileSync(path.join(ROOT, 'docs', 'prometheus', 'midtrust-alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; annotations: Record<string, string> }[] }[] }).groups[0].rules;
    const annotations = (alert: string, host: string, value: number): string =>
      Object.entries(rules.find((r) => r.alert === alert)?.annotations ?? {})
        .map(([k, t]) => `\n              ${k}: ${JSON.stringify(t.replace(/\{\{ \$labels\.host \}\}/g, host).replace(/\{\{ \$value \}\}/g, String(value)))}`)
        .join('');
    const firing = (alert: string, time: string, hosts: [string, string, number][]): string =>
      `      - eval_time: ${time}\n        alertname: ${alert}\n        exp_alerts:${hosts.length ? hosts.map(([h, sev, v]) => `\n          - exp_labels: { severity: ${sev}, host: ${h} }\n            exp_annotations:${annotations(alert, h, v)}`).join('') : ' []'}`;
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'mt-alerts-'));
    try {
      fs.copyFileSync(path.join(ROOT, 'docs', 'prometheus', 'midtrust-alerts.yml'), path.join(dir, 'rules.yml'));
      const unit = [
        'rule_files: [rules.yml]',
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        ...series,
        '    alert_rule_test:',
        firing('MidTrustDeclaredCertificateMissing', '1h', [['mid-1', 'critical', 1]]),
        firing('MidTrustStoreDrift', '7h', [['mid-2', 'warning', 1]]),
        firing('MidTrustUpgradeWillLoseCertificates', '2h', [['mid-1', 'warning', 1]]),
        '',
      ].join('\n');
      fs.writeFileSync(path.join(dir, 'unit.yml'), unit);
      const r = promtool(['test', 'rules', path.join(dir, 'unit.yml')]);
      expect(r.output).toMatch(/SUCCESS/);
      expect(r.code).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JSON: one documented schema (schema/report.schema.json), checked with ajv', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

  it('the report of a fleet with drift, a failed host and hostile strings is valid', () => {
    const doc = JSON.parse(renderJson(hostilePosture())) as unknown;
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  it('a report without a desired state and one of the synthetic fleet are valid', () => {
    const b = new PostureBuilder({ source: { kind: 'keystore', path: 'cacerts' }, generator: 'midtrust test', now: NOW });
    expect(validate(JSON.parse(renderJson(b.build([b.observe({ name: 'local', storePath: '/tmp/cacerts', store: store([['x', cert('X', 5)]]) })])))) ? [] : validate.errors).toEqual([]);
    const f = syntheticFleet({ hosts: 30, certificatesPerHost: 20, declared: 6, privatePool: 40, now: NOW });
    const fb = new PostureBuilder({ source: { kind: 'inventory', path: 'hosts.yaml' }, generator: 'midtrust test', now: NOW, desired: f.desired });
    const doc = JSON.parse(renderJson(fb.build(f.observations.map((o) => fb.observe(o))))) as unknown;
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  it('a report with declared endpoints (trusted, not trusted, unreachable, after the upgrade) is valid', () => {
    const doc = JSON.parse(renderJson(endpointPosture())) as unknown;
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  it('the schema refuses an endpoint with a verdict and an error, or neither', () => {
    type Doc = { hosts: { endpoints: Array<{ trusted: boolean | null; error: string | null }> | null }[] };
    const both = JSON.parse(renderJson(endpointPosture())) as Doc;
    (both.hosts[0].endpoints as Array<{ error: string | null }>)[0].error = 'unreachable';
    expect(validate(both)).toBe(false);
    const neither = JSON.parse(renderJson(endpointPosture())) as Doc;
    (neither.hosts[0].endpoints as Array<{ error: string | null }>)[2].error = null;
    expect(validate(neither)).toBe(false);
  });

  it('the schema refuses what the report never writes (it is not a rubber stamp)', () => {
    const doc = JSON.parse(renderJson(hostilePosture())) as { hosts: { coverage: string[] | null; name?: string }[]; extra?: number };
    (doc.hosts[0].coverage as string[])[0] = 'maybe';
    expect(validate(doc)).toBe(false);
    const doc2 = JSON.parse(renderJson(hostilePosture())) as { hosts: { name?: string }[] };
    delete doc2.hosts[0].name;
    expect(validate(doc2)).toBe(false);
  });
});
