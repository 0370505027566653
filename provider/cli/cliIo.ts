/**
 * What a command may touch of the outside world. `main.ts` passes the real process; tests pass
 * buffers, so commands run in-process without spawning (the `ni` habit in STYLE.md).
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  /** Reads all of standard input (only called for --storepass-stdin). */
  readonly readStdin: () => Promise<string>;
  /** Whether stdout is a terminal (colours, progress). */
  readonly isTty: boolean;
}

/** Exit codes of the contract in DESIGN.md. */
export const EXIT = { OK: 0, ERROR: 1, CHANGES_PENDING: 2 } as const;
