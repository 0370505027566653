/**
 * Tests that need an outside tool (Chromium, promtool): in CI (`CI` set) a missing tool fails the
 * run, with the reason; elsewhere the tests are skipped loudly. Never a silent pass.
 */

/** `describe` when the tool is there; in CI a failing suite naming what is missing; else a loud skip. */
export function describeWithTool(tool: string, unavailable: string | undefined): jest.Describe {
  if (!unavailable) return describe;
  if (process.env.CI) {
    const failing = ((name: string) =>
      describe(name, () => {
        it(`needs ${tool}`, () => {
          throw new Error(`${tool} is required in CI but ${unavailable}`);
        });
      })) as unknown as jest.Describe;
    return failing;
  }
  console.warn(`SKIPPED: tests that need ${tool} — ${unavailable}`);
  return describe.skip;
}
