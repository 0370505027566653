// The commands, in help order. Each module is loaded only when its command runs, so `ls` does not
// pay for the plan, YAML and host code (start-up is most of a CLI run).
import type { CommandSpec } from '../commandSpec';

export interface CommandEntry {
  readonly name: string;
  /** One line of `midtrust --help`: at most 62 characters, so the list fits 80 columns. */
  readonly summary: string;
  load(): CommandSpec;
}

export const commands: readonly CommandEntry[] = [
  { name: 'ls', summary: 'list the entries of a keystore (JKS, JCEKS, PKCS12)', load: () => require('./lsCommand').lsCommand },
  { name: 'plan', summary: 'show what apply would change (exit 2: changes pending, drift)', load: () => require('./planCommand').planCommand },
  { name: 'apply', summary: 'make a keystore match a desired-state file (atomic, locked)', load: () => require('./applyCommand').applyCommand },
  { name: 'import', summary: 'add or replace one trusted certificate (idempotent)', load: () => require('./importCommand').importCommand },
  { name: 'delete', summary: 'remove one trusted certificate (never a key entry)', load: () => require('./importCommand').deleteCommand },
  { name: 'upgrade-preview', summary: 'what a MID upgrade keeps, migrates or loses', load: () => require('./upgradeCommands').upgradePreviewCommand },
  { name: 'migrate', summary: "run an upgrade's truststore migration on a MID home now", load: () => require('./upgradeCommands').migrateCommand },
  { name: 'restore', summary: 'after an upgrade, re-add the certificates it lost', load: () => require('./upgradeCommands').restoreCommand },
  { name: 'verify', summary: 'does the MID trust an endpoint? (now, after apply or upgrade)', load: () => require('./verifyCommand').verifyCommand },
  { name: 'lint', summary: 'check a desired-state file against the policy rules', load: () => require('./policyCommands').lintCommand },
  { name: 'audit', summary: 'check a live keystore or MID home against the policy rules', load: () => require('./policyCommands').auditCommand },
  { name: 'owners', summary: 'which Pulumi resources claim what in a store; prune stale ones', load: () => require('./ownersCommand').ownersCommand },
  { name: 'report', summary: 'fleet trust posture: HTML page, Prometheus metrics or JSON', load: () => require('./reportCommand').reportCommand },
  { name: 'demo', summary: 'run the quick start on a demo MID Server under ./demo', load: () => require('./demoCommand').demoCommand },
];
