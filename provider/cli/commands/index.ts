// The list of commands, in help order.
import type { CommandSpec } from '../commandSpec';
import { lsCommand } from './lsCommand';

export const commands: readonly CommandSpec[] = [lsCommand];
