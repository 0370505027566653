/**
 * What a command may touch of the outside world. `main.ts` passes the real process; tests pass
 * buffers, so commands run in-process without spawning (the `ni` habit in STYLE.md).
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  /**
   * Reads standard input up to its first line end (or its end), bounded by READ_LIMITS.secret;
   * only called for --storepass-stdin. A writer that keeps the pipe open cannot hang the run.
   */
  readonly readStdin: () => Promise<string>;
  /** Whether stdout is a terminal (colours, progress). */
  readonly isTty: boolean;
  /**
   * The terminal's width in columns (80 when unknown), for fitting tables. Asked only when stdout
   * is a terminal and a table is printed: the real one reads process.stdout.
   */
  readonly columns: number;
}

/** Exit codes of the contract in DESIGN.md. */
export const EXIT = { OK: 0, ERROR: 1, CHANGES_PENDING: 2 } as const;
