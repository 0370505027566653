// The list of commands, in help order.
import type { CommandSpec } from '../commandSpec';
import { applyCommand } from './applyCommand';
import { demoCommand } from './demoCommand';
import { deleteCommand, importCommand } from './importCommand';
import { lsCommand } from './lsCommand';
import { planCommand } from './planCommand';

export const commands: readonly CommandSpec[] = [lsCommand, planCommand, applyCommand, importCommand, deleteCommand, demoCommand];
