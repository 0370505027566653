/**
 * Certificate facts for a CA bundle (default: every /etc/ssl/certs/*.pem, 144 here): what
 * `midtrust ls` needs (subject, issuer, notAfter, isCa), first run in a cold process and the
 * median of warm runs, next to node's X509Certificate. Not a test: nothing here asserts time.
 * Run after `npm run build`: node dist/bench/certificateFacts.bench.js [dir]
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Certificate } from '../provider/certificate/certificate';
import { parseCertificateInput } from '../provider/certificate/certificateInput';
import { report, timeInProcess } from './benchUtil';

const dir = process.argv[2] ?? '/etc/ssl/certs';
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.pem'));
const ders = files.flatMap((f) => parseCertificateInput(fs.readFileSync(path.join(dir, f)), f));

const listingFacts = (): void => {
  for (const der of ders) {
    const f = Certificate.fromDer(der).facts;
    if (f.subject.length + f.issuer.length === 0 || Number.isNaN(f.notAfter.getTime()) || typeof f.isCa !== 'boolean') throw new Error('bad facts');
  }
};
// CPU time next to wall time: on a shared machine the wall clock of one cold run mostly measures the neighbours.
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
listingFacts();
const cold = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage(cpu0);
const coldCpu = (cpu.user + cpu.system) / 1000;
const warm = timeInProcess(listingFacts, 50);
const withHash = timeInProcess(() => ders.forEach((d) => Certificate.fromDer(d).sha256), 50);
const node = timeInProcess(() => ders.forEach((d) => new X509Certificate(d).validTo), 10, 2);
const selfSigned = timeInProcess(() => ders.forEach((d) => Certificate.fromDer(d).facts.selfSigned), 5, 1);
const inputMs = timeInProcess(() => files.forEach((f) => parseCertificateInput(fs.readFileSync(path.join(dir, f)), f)), 20);

console.log(`certificate facts — ${ders.length} certificates from ${dir}, node ${process.version}`);
console.log(report(`facts for ls (${ders.length} certs), first run in a cold process`, `${cold.toFixed(2)} ms (CPU ${coldCpu.toFixed(1)} ms)`, '≤ 20 ms', Math.min(cold, coldCpu) <= 20));
console.log(report(`facts for ls (${ders.length} certs), warm median`, `${warm.toFixed(2)} ms`, '≤ 20 ms', warm <= 20));
console.log(`      SHA-256 of all: ${withHash.toFixed(2)} ms; read+parse the PEM files: ${inputMs.toFixed(2)} ms`);
console.log(`      node X509Certificate for all: ${node.toFixed(2)} ms (${(node / warm).toFixed(0)}x slower); selfSigned (signature check) for all: ${selfSigned.toFixed(1)} ms`);
