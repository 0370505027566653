/**
 * Real accounts for the become (sudo) tests: a login with NOPASSWD sudo to root and a MID account,
 * the MID account, and a login whose sudo asks for a password. Made where the fleet bench makes
 * its own (bench/benchAccounts.ts), as the tests' sshd comes from bench/benchSshd.ts.
 */
export { createBecomeAccounts, SFTP_SERVER, type BecomeAccounts } from '../../bench/benchAccounts';
