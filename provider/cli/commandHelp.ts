/**
 * What `midtrust <command> --help` says beyond the usage: what the command does, one line per
 * option, an example and the docs page. Kept apart from the commands so `--help` of one command
 * loads no other, and so the whole text can be checked at once (every option described, 80 columns).
 */

/** A command's help text. Option descriptions are one line each, without the option's name. */
export interface CommandHelp {
  /** What the command does, in a sentence or two (folded to the terminal). */
  readonly what: string;
  /** Option name (as declared, without dashes) → one-line description. */
  readonly options: Readonly<Record<string, string>>;
  /** One or more command lines; a password never appears in them. */
  readonly example: string;
  /** The page that says more (README.md or docs/*.md). */
  readonly docs: string;
}

const STOREPASS = {
  'storepass-env': 'the store password from this environment variable',
  'storepass-file': 'the store password: first line of this file',
  'storepass-stdin': 'the store password: first line of stdin',
} as const;
const JSON_OUT = { json: 'machine-readable output on stdout (errors as {"error": …})' } as const;
const FLEET = { inventory: 'every MID host of this inventory, over SSH', parallel: 'hosts at a time (default 8)' } as const;
const RULES = {
  'fail-on': 'exit 1 from this severity up: advisory, warning, error (default)',
  'expiring-days': 'warn about certificates expiring within N days (default 30)',
  incoming: "the next JRE's cacerts: judge what the upgrade keeps",
  endpoint: 'also judge this endpoint (host:port, https://, ldaps://); repeatable',
} as const;

/** Help of every command, by name. */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  ls: {
    what: 'Lists the entries of a keystore (JKS, JCEKS, PKCS12), sorted by alias. A JKS without a password is listed unverified, as keytool does.',
    options: { ...STOREPASS, ...JSON_OUT },
    example: 'midtrust ls /opt/servicenow/mid/agent/jre/lib/security/cacerts \\\n    --storepass-env MID_STOREPASS',
    docs: 'README.md',
  },
  plan: {
    what: 'Shows what apply would change to make the store match the desired-state file, and judges its endpoints: after apply. Exit 0 nothing to do, 2 changes pending, 1 error or a declared endpoint not trusted after apply.',
    options: { file: 'the desired-state file (YAML)', ...JSON_OUT, verbose: 'also list the entries that stay unchanged', ...FLEET },
    example: 'midtrust plan -f desired.yaml',
    docs: 'docs/desired-state.md',
  },
  apply: {
    what: 'Makes the store match the desired-state file: one locked, verified, atomic write; nothing to do, nothing written.',
    options: { file: 'the desired-state file (YAML)', ...JSON_OUT, verbose: 'also list the entries that stay unchanged', ...FLEET, 'lock-timeout': 'wait this long for another writer (default 30)' },
    example: 'midtrust apply -f desired.yaml --inventory hosts.yaml',
    docs: 'docs/desired-state.md',
  },
  import: {
    what: "Adds or replaces one trusted certificate (a chain file: every certificate, as <alias>, <alias>-2 …). A file holding a server's own certificate next to CAs is refused unless --ca-only or --allow-end-entity.",
    options: {
      ...STOREPASS,
      keystore: 'the keystore to change',
      alias: 'the alias to store it under',
      file: 'the certificate or chain (PEM, DER, PKCS#7)',
      'ca-only': "import only the CA certificates of the file (a server's fullchain.pem)",
      'allow-end-entity': 'import an end-entity certificate next to CAs as well',
      ...JSON_OUT,
    },
    example: 'midtrust import --keystore cacerts --alias acme --file fullchain.pem \\\n    --ca-only --storepass-env MID_STOREPASS',
    docs: 'README.md',
  },
  delete: {
    what: 'Removes one trusted certificate; never a key entry. An alias that is not there is no error, and says so.',
    options: { ...STOREPASS, keystore: 'the keystore to change', alias: 'the alias to remove', ...JSON_OUT },
    example: 'midtrust delete --keystore cacerts --alias old-proxy \\\n    --storepass-env MID_STOREPASS',
    docs: 'README.md',
  },
  'upgrade-preview': {
    what: 'What the next MID upgrade keeps, migrates and loses under the migration strategy, and which endpoints it breaks. Exit 0; with --fail-on-loss, 1 when a certificate is lost or an endpoint breaks.',
    options: {
      ...STOREPASS,
      current: 'the truststore now (instead of --mid-home)',
      incoming: "the new JRE's cacerts",
      'incoming-storepass-env': "the new cacerts' password from this variable",
      strategy: 'migrate_delta, migrate_non_ca or do_not_migrate (default: config.xml)',
      release: 'the MID release upgraded from, e.g. paris-p5 (its migration rule)',
      'mid-home': "the MID's home: its cacerts and config.xml",
      prefix: 'alias prefix of migrated certificates (default snc_)',
      'vendor-baseline': "the JDK release's cacerts: its roots are the vendor's",
      endpoint: 'also judge this endpoint now and after; repeatable',
      file: 'a desired-state file: judge its endpoints: too',
      'fail-on-loss': 'exit 1 when a certificate is lost or an endpoint breaks',
      ...JSON_OUT,
    },
    example: 'midtrust upgrade-preview --mid-home /opt/servicenow/mid \\\n    --incoming new-jre/lib/security/cacerts --fail-on-loss',
    docs: 'README.md',
  },
  migrate: {
    what: "Carries out an upgrade's truststore migration on a MID home now (try it on a copy), keeping the product's backups for restore.",
    options: { ...STOREPASS, 'mid-home': "the MID's home", incoming: "the new JRE's cacerts", 'incoming-storepass-env': "the new cacerts' password from this variable", prefix: 'alias prefix of migrated certificates (default snc_)', ...JSON_OUT },
    example: 'midtrust migrate --mid-home /srv/mid-copy --incoming new-cacerts \\\n    --storepass-env MID_STOREPASS',
    docs: 'README.md',
  },
  restore: {
    what: "After an upgrade, re-adds what it lost from the newest backup that has it. JDK vendor roots the new JRE no longer ships stay out unless --include-vendor-removed; exit 1 when something cannot be put back.",
    options: { ...STOREPASS, 'mid-home': "the MID's home", from: 'this backup directory instead of the newest useful one', 'include-vendor-removed': 'also restore vendor roots the new JRE dropped', ...JSON_OUT },
    example: 'midtrust restore --mid-home /opt/servicenow/mid --storepass-env MID_STOREPASS',
    docs: 'README.md',
  },
  owners: {
    what: 'Which Pulumi resources claim what in a store\'s ownership record (their ownerId outputs), which look gone, and prune for an owner removed with pulumi state delete.',
    options: {
      ...STOREPASS,
      'mid-home': "the MID's home: the records of the store its JVM reads",
      'stale-after': 'mark an owner stale when unconfirmed this long behind the newest (e.g. 30d)',
      owner: 'with prune: the owner id whose claims go (the store is not touched)',
      ...JSON_OUT,
    },
    example: 'midtrust owners --mid-home /opt/servicenow/mid\nmidtrust owners prune --mid-home /opt/servicenow/mid --owner <ownerId>',
    docs: 'docs/pulumi.md',
  },
  verify: {
    what: "Will this JVM trust that endpoint — now, after apply, after the next upgrade? The JVM's verdict (exit 0 trusted, 2 not, 1 error) and the fix.",
    options: {
      ...STOREPASS,
      target: 'the endpoint: host:port, https://…, ldaps://…, ldap://… (StartTLS)',
      keystore: 'judge against this keystore',
      file: 'judge against the store as this desired state leaves it',
      'mid-home': "judge against the truststore the MID's JVM uses",
      'after-upgrade': 'judge against the store the next upgrade leaves',
      incoming: "the new JRE's cacerts (with --after-upgrade)",
      'incoming-storepass-env': "the new cacerts' password from this variable",
      prefix: 'alias prefix of migrated certificates (default snc_)',
      ...FLEET,
      'java-security': 'a java.security file whose disabled algorithms apply',
      'java-version': "judge as this Java does: 17, 21 or 25 (default: the MID's JRE)",
      timeout: 'seconds for the connection and the handshake (default 10)',
      ...JSON_OUT,
      'write-desired': 'add the missing CA to this desired-state file',
      alias: 'the alias for the CA --write-desired adds',
      sha256: 'the SHA-256 the added CA must have (pins it)',
      yes: 'add it without a pinned SHA-256',
      'ca-file': 'add this CA file instead, once checked to issue the chain',
    },
    example: 'midtrust verify --target ldaps://ad.acme.example \\\n    --mid-home /opt/servicenow/mid',
    docs: 'docs/verify.md',
  },
  lint: {
    what: 'Checks a desired-state file against the policy rules (and the MID settings when it names a midHome). Exit 1 when a finding reaches --fail-on.',
    options: { file: 'the desired-state file (YAML)', ...JSON_OUT, ...RULES },
    example: 'midtrust lint -f desired.yaml --incoming new-jre/lib/security/cacerts',
    docs: 'README.md',
  },
  audit: {
    what: "Checks a live keystore or MID home against the policy rules. The JDK's own roots are judged apart and never fail unless --fail-on-vendor.",
    options: {
      ...JSON_OUT,
      ...RULES,
      ...STOREPASS,
      'mid-home': "the MID's home: its cacerts and settings",
      ...FLEET,
      'vendor-baseline': "the JDK release's cacerts: its roots are the vendor's",
      'fail-on-vendor': "count findings about the vendor's roots for --fail-on",
    },
    example: 'midtrust audit --mid-home /opt/servicenow/mid --storepass-env MID_STOREPASS',
    docs: 'README.md',
  },
  report: {
    what: "The fleet's trust posture as one HTML page, Prometheus metrics or JSON. Exit 1 when a host could not be read (the report is still written).",
    options: {
      ...STOREPASS,
      inventory: 'every MID host of this inventory, over SSH',
      'mid-home': 'one MID on this machine',
      keystore: 'one keystore on this machine',
      file: 'the desired state: drift, coverage and its endpoints:',
      incoming: "the next JRE's cacerts: upgrade losses",
      format: 'html, json or prometheus (default: from -o, else html)',
      output: 'write here, atomically (.html, .json, .prom)',
      parallel: 'hosts at a time (default 8)',
      'endpoint-timeout': 'seconds per declared endpoint (default 10)',
    },
    example: 'midtrust report --inventory hosts.yaml -f desired.yaml -o posture.html',
    docs: 'docs/report.md',
  },
  demo: {
    what: 'Runs the quick start on a demo MID Server it creates under ./demo (or --dir): declares CAs, plans and applies them, simulates drift by hand and previews an upgrade to a new JRE — every step printed. Touches nothing outside that directory.',
    options: { dir: 'where to create the demo (default ./demo of the checkout)' },
    example: 'midtrust demo',
    docs: 'README.md',
  },
};
