/** The list of CLI commands; each file in this folder holds one yargs CommandModule. */
import type { CommandModule } from 'yargs';
import { dataCommand } from './data';
import { experimentCommand } from './experiment';
import { importCommand } from './import';
import { inspectCommand } from './inspect';
import { pruneCommand } from './prune';
import { quickstartCommand } from './quickstart';
import { reportCommand } from './report';
import { sweepCommand } from './sweep';
import { trainCommand } from './train';
import { verifyCommand } from './verify';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  quickstartCommand,
  trainCommand,
  pruneCommand,
  verifyCommand,
  inspectCommand,
  dataCommand,
  sweepCommand,
  reportCommand,
  experimentCommand,
  importCommand,
];
