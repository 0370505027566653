import { MidtrustError } from '../../provider/errors';

/** The MidtrustError `run` throws; fails the test when it throws nothing or something else. */
export function errorOf(run: () => unknown): MidtrustError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(MidtrustError);
    return e as MidtrustError;
  }
  throw new Error('expected an error');
}
