/** The list of CLI commands; each file in this folder holds one yargs CommandModule. */
import type { Argv } from 'yargs';
import { baseExportFormats } from '../../pipeline/export-formats/table';
import { givenPath } from '../export-options';
import { compressCommand } from './compress';
import { dataCommand } from './data';
import { experimentCommand } from './experiment';
import { importCommand } from './import';
import { inspectCommand } from './inspect';
import { pruneCommand } from './prune';
import { quickstartCommand } from './quickstart';
import { reportCommand } from './report';
import { serveExampleCommand } from './serve-example';
import { sweepCommand } from './sweep';
import { trainCommand } from './train';
import { verifyCommand } from './verify';
import { fileNote, folderNote, interruptible } from '../interruptible';

/** The top-level commands, in help order (the same list as addCommands). */
const MODULES: readonly { command?: string | readonly string[] }[] = [
  quickstartCommand,
  trainCommand,
  pruneCommand,
  verifyCommand,
  inspectCommand,
  dataCommand,
  sweepCommand,
  reportCommand,
  experimentCommand,
  serveExampleCommand,
  importCommand,
  compressCommand,
];

/** The names of the top-level commands, in help order: `train`, `prune`, ... */
export const COMMAND_NAMES: readonly string[] = MODULES.map((m) => String([m.command].flat()[0]).split(' ')[0]);

/** Adds every command to the parser, in help order; one `.command` call each, so that every
 * module keeps its own argument type. */
export function addCommands(y: Argv<object>): Argv<object> {
  return y
    .command(quickstartCommand)
    .command(interruptible(trainCommand, (a) => folderNote('run folder', a.out)))
    .command(
      interruptible(
        pruneCommand,
        (a) =>
          [
            ...baseExportFormats()
              .filter((f) => f.target === 'file')
              .map((f) => fileNote(givenPath(a, f))),
            folderNote('run folder', a.run),
          ]
            .filter(Boolean)
            .join('; ') || null,
      ),
    )
    .command(verifyCommand)
    .command(inspectCommand)
    .command(dataCommand)
    .command(sweepCommand)
    .command(reportCommand)
    .command(experimentCommand)
    .command(serveExampleCommand)
    .command(interruptible(importCommand, (a) => folderNote('run folder', a.out)))
    .command(interruptible(compressCommand, (a) => fileNote(a.export)));
}
