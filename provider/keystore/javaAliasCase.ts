/**
 * Alias case as the JDK that owns a store folds it. Java lowercases aliases with
 * `String.toLowerCase(Locale.ENGLISH)` (JKS/JCEKS on every get and set, PKCS12 to compare), from
 * the Unicode tables of *its* release: JDK 17 is Unicode 13, JDK 21 Unicode 15, JDK 25 Unicode 16.
 * JavaScript's `toLowerCase` follows node's ICU (Unicode 17 on node 20 here). So `Ⱟx` (U+2C2F,
 * Unicode 14) is one alias to JDK 25 and JavaScript and two aliases (`Ⱟx`, `ⱟx`) to JDK 17.
 *
 * Every code point whose lower case Java 17 and JavaScript disagree on was found by comparing the
 * JVMs' own output for all of Unicode (test/keystore/javaAliasCase.test.ts does that again against
 * keytool 17's JVM and Temurin 25's): all of them are 1:1 mappings added in Unicode 14, 16 and 17.
 * Java before 17 (Unicode 10–12) is folded as Java 17: the table does not cover those versions.
 */

/** The Java feature version midtrust assumes when nothing says which JDK reads a store: 17, the MID's JRE from Washington DC to Zurich. */
export const DEFAULT_JAVA_VERSION = 17;

/** [first, last, delta to the lower case, the Unicode version that added the mapping]. */
const CHANGED: ReadonlyArray<readonly [number, number, number, number]> = [
  [0x1c89, 0x1c89, 1, 16], // Cyrillic capital TJE
  [0x2c2f, 0x2c2f, 0x30, 14], // Glagolitic capital CAUDATE CHRIVI
  [0xa7c0, 0xa7c0, 1, 14], // Latin capital OLD POLISH O
  [0xa7cb, 0xa7cb, 0x0264 - 0xa7cb, 16], // Latin capital RAMS HORN → ɤ
  [0xa7cc, 0xa7cc, 1, 16], // Latin capital S WITH DIAGONAL STROKE
  [0xa7ce, 0xa7ce, 1, 17], // Latin capital PHARYNGEAL VOICED FRICATIVE
  [0xa7d0, 0xa7d0, 1, 14], // Latin capital CLOSED INSULAR G
  [0xa7d2, 0xa7d2, 1, 17], // Latin capital DOUBLE THORN
  [0xa7d4, 0xa7d4, 1, 17], // Latin capital DOUBLE WYNN
  [0xa7d6, 0xa7d6, 1, 14], // Latin capital MIDDLE SCOTS S
  [0xa7d8, 0xa7d8, 1, 14], // Latin capital SIGMOID S
  [0xa7da, 0xa7da, 1, 16], // Latin capital LAMBDA
  [0xa7dc, 0xa7dc, 0x019b - 0xa7dc, 16], // Latin capital LAMBDA WITH STROKE → ƛ
  [0x10570, 0x1057a, 0x27, 14], // Vithkuqi capitals
  [0x1057c, 0x1058a, 0x27, 14],
  [0x1058c, 0x10592, 0x27, 14],
  [0x10594, 0x10595, 0x27, 14],
  [0x10d50, 0x10d65, 0x20, 16], // Garay capitals
  [0x16ea0, 0x16eb8, 0x1b, 17], // Beria Erfe capitals
];

/** Matches any code point of {@link CHANGED}: most aliases hold none and take the fast path. */
const HAS_CHANGED = /[\u1c89\u2c2f\ua7c0\ua7cb\ua7cc\ua7ce\ua7d0\ua7d2\ua7d4\ua7d6\ua7d8\ua7da\ua7dc\u{10570}-\u{1057a}\u{1057c}-\u{1058a}\u{1058c}-\u{10592}\u{10594}\u{10595}\u{10d50}-\u{10d65}\u{16ea0}-\u{16eb8}]/u;

/**
 * The Unicode version of a Java feature release's case tables (JDK 17: 13, 19: 14, 21: 15,
 * 22: 15.1, 24 and 25: 16). Releases before 17 are treated as 17 (see the module comment).
 *
 * @example
 * unicodeOfJava(21); // 15
 */
export function unicodeOfJava(javaVersion: number): number {
  if (javaVersion >= 24) return 16;
  if (javaVersion >= 22) return 15.1;
  if (javaVersion >= 20) return 15;
  if (javaVersion >= 19) return 14;
  return 13;
}

/**
 * `alias.toLowerCase(Locale.ENGLISH)` as Java `javaVersion` computes it, whatever Unicode
 * version node's ICU has.
 *
 * @example
 * javaLowerCase('Ⱟx', 17); // 'Ⱟx' (Unicode 13 has no lower case for U+2C2F)
 * javaLowerCase('Ⱟx', 25); // 'ⱟx'
 */
export function javaLowerCase(alias: string, javaVersion: number = DEFAULT_JAVA_VERSION): string {
  if (!HAS_CHANGED.test(alias)) return alias.toLowerCase();
  const unicode = unicodeOfJava(javaVersion);
  let out = '';
  let run = '';
  for (const ch of alias) {
    const cp = ch.codePointAt(0) as number;
    const range = CHANGED.find(([first, last]) => cp >= first && cp <= last);
    if (!range) {
      run += ch;
      continue;
    }
    // Lowercase ordinary text in runs, so context rules (a final sigma) see their neighbours.
    out += run.toLowerCase() + (range[3] <= unicode ? String.fromCodePoint(cp + range[2]) : ch);
    run = '';
  }
  return out + run.toLowerCase();
}

/**
 * The Java feature version in a JDK/JRE `release` file (`JAVA_VERSION="17.0.12"` → 17,
 * `"1.8.0_392"` → 8), or undefined when the text holds none.
 *
 * @example
 * javaVersionOfRelease('JAVA_VERSION="21.0.5"\n'); // 21
 */
export function javaVersionOfRelease(text: string): number | undefined {
  const m = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(text);
  if (!m) return undefined;
  const major = Number(m[1]);
  return major === 1 && m[2] !== undefined ? Number(m[2]) : major;
}
