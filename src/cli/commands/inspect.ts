/**
 * `gs-compress inspect FILE`: what is inside an ONNX model or a run directory — layers and
 * their sizes, parameters, the input columns kept, class labels and metadata — as tables, or
 * as one JSON object with --json.
 */
import * as fs from 'fs';
import type { Argv, CommandModule } from 'yargs';
import { GsError } from '../../errors';
import { activationLabel, activationOf, type Activation } from '../../network/activations';
import { multiplyAdds, parameterCount } from '../../network/create';
import { loadAnyRun } from '../../network/run-io';
import { layerShapes, layerType } from '../../network/layers/table';
import { META, readModelFile, readOnnxInfo, type OnnxInfo } from '../../onnx';
import { formatTable } from '../table';

interface InspectArgs {
  file: string;
  json: boolean;
  nodes: boolean;
  full: boolean;
}

const clip = (s: string, full: boolean, n = 90) => (full || s.length <= n ? s : `${s.slice(0, n - 3)}...`);

function listNames(names: string[], full: boolean): string {
  return full || names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, ... (${names.length - 12} more)`;
}

function formatOnnx(info: OnnxInfo, a: InspectArgs): string {
  const out: string[] = [];
  const opset = info.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  out.push(
    `${info.file}: ONNX model, ${info.bytes} bytes, IR ${info.irVersion}, opset ${opset}, producer ${info.producer.name} ${info.producer.version}`.trim(),
  );
  const io = [...info.inputs.map((t) => ['input', t]), ...info.outputs.map((t) => ['output', t])] as [string, OnnxInfo['inputs'][0]][];
  out.push(
    '',
    formatTable(
      ['', 'name', 'type', 'shape'],
      io.map(([k, t]) => [k, t.name, t.type, `[${t.shape.join(', ')}]`]),
    ),
  );
  if (info.layers.length > 0) {
    const rows = info.layers.map((l, i) => [i, l.node, l.op, l.inSize, l.outSize, l.activation, l.weights, l.parameters]);
    out.push('', formatTable(['layer', 'node', 'op', 'in', 'out', 'activation', 'weights', 'parameters'], rows));
  }
  const stored = info.layers.length > 0 ? info.layers.reduce((n, l) => n + l.parameters, 0) : info.parameterCount;
  const compact = info.metadata[META.parameters];
  out.push(
    '',
    compact && Number(compact) !== stored
      ? `parameters: ${compact} in the compact network; ${stored} stored in the file (with the zero rows of dropped input columns)`
      : `parameters: ${stored}${info.layers.length > 0 ? '' : ' (float initializers)'}`,
  );
  const iface = info.interface;
  if (iface) {
    const names = info.metadata[META.keptNames]
      ? (JSON.parse(info.metadata[META.keptNames]) as string[])
      : iface.keptIndices.map((c) => `x${c}`);
    out.push(
      `inputs kept: ${iface.keptIndices.length} of ${iface.inputWidth}${iface.compactInput ? ' (compact input: feed only these columns)' : ' (the model takes all columns)'}`,
    );
    out.push(
      `  ${listNames(
        names.map((n, i) => `${n}[${iface.keptIndices[i]}]`),
        a.full,
      )}`,
    );
    out.push(`classes: ${listNames(iface.classLabels, a.full)}`);
  }
  const meta = Object.entries(info.metadata).filter(([k]) => ![META.classes, META.keptIndices, META.keptNames].includes(k as never));
  if (meta.length > 0)
    out.push(
      '',
      formatTable(
        ['metadata', 'value'],
        meta.map(([k, v]) => [k, clip(v, a.full)]),
      ),
    );
  if (a.nodes)
    out.push(
      '',
      formatTable(
        ['node', 'op', 'inputs', 'outputs'],
        info.nodes.map((n) => [n.name, n.op, n.inputs.join(', '), n.outputs.join(', ')]),
      ),
    );
  return out.join('\n');
}

function inspectRun(dir: string, a: InspectArgs): void {
  const { network: net, info } = loadAnyRun(dir);
  // every layer type through the table: channels in and out, its output shape, activation, counts
  const shapes = layerShapes(net.layers, net.inputShape ?? [net.inputIndices.length]);
  const layers = net.layers.map((l, i) => {
    const t = layerType(l);
    const act = (l as { activation?: Activation | null }).activation;
    const groups = t.groups(l);
    return {
      layer: i,
      op: l.op,
      in: t.inChannels(l),
      out: t.outChannels(l),
      shape: shapes[i + 1],
      activation:
        i === net.layers.length - 1 ? 'softmax' : l.op === 'dense' ? activationLabel(activationOf(l)) : act ? activationLabel(act) : '-',
      parameters: t.params(l),
      zeroWeights: groups ? groups.w.filter((w) => w === 0).length : 0,
    };
  });
  const kept = net.inputIndices.map((c) => ({ index: c, name: net.featureNames[c] }));
  const summary = {
    kind: 'run',
    dir,
    generatedBy: info.generatedBy,
    createdAt: info.createdAt,
    engine: info.engine ?? null,
    data: info.data ?? null,
    inputWidth: net.inputWidth,
    inputsKept: kept.length,
    scaling: net.scaling !== null,
    classLabels: net.classLabels,
    parameters: parameterCount(net),
    multiplyAdds: multiplyAdds(net),
    layers,
  };
  if (a.json) {
    process.stdout.write(
      `${JSON.stringify({ ...summary, keptInputs: kept, config: info.config ?? null, summary: info.summary ?? null, epochs: info.history?.length ?? 0 })}\n`,
    );
    return;
  }
  const out: string[] = [
    `${dir}: run directory written by ${info.generatedBy} at ${info.createdAt}${info.engine ? `, engine ${info.engine}` : ''}`,
  ];
  if (info.data) out.push(`data: ${info.data.name ?? info.data.path ?? `${info.data.train} + ${info.data.test}`}`);
  out.push(
    '',
    formatTable(
      ['layer', 'op', 'in', 'out', 'output shape', 'activation', 'parameters', 'zero weights'],
      layers.map((l) => [l.layer, l.op, l.in, l.out, l.shape.join('x'), l.activation, l.parameters, l.zeroWeights]),
    ),
  );
  out.push('', `parameters: ${summary.parameters}, multiply-adds per row: ${summary.multiplyAdds}`);
  out.push(`inputs kept: ${kept.length} of ${net.inputWidth}; standardized: ${net.scaling ? 'yes' : 'no'}`);
  out.push(
    `  ${listNames(
      kept.map((k) => `${k.name}[${k.index}]`),
      a.full,
    )}`,
  );
  out.push(`classes: ${listNames(net.classLabels, a.full)}`);
  const cfg = Object.entries(info.config ?? {}).filter(([k]) => k !== 'dataSpec');
  if (cfg.length > 0)
    out.push(
      '',
      formatTable(
        ['config', 'value'],
        cfg.map(([k, v]) => [k, clip(JSON.stringify(v), a.full)]),
      ),
    );
  const sum = Object.entries(info.summary ?? {});
  if (sum.length > 0)
    out.push(
      '',
      formatTable(
        ['summary', 'value'],
        sum.map(([k, v]) => [k, clip(JSON.stringify(v) ?? '-', a.full)]),
      ),
    );
  process.stdout.write(`${out.join('\n')}\n`);
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <file>',
  describe: 'Show what is inside an ONNX model or a run directory: layers, sizes, parameters, inputs kept, metadata',
  builder: (y: Argv) =>
    y
      .positional('file', {
        type: 'string',
        demandOption: true,
        describe: 'An ONNX file (from prune --export) or a run directory (from train --out)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object instead of tables' })
      .option('nodes', { type: 'boolean', default: false, describe: 'ONNX: also list every graph node' })
      .option('full', { type: 'boolean', default: false, describe: 'Do not shorten long lists and metadata values' })
      .example('$0 inspect runs/mnist-gl/model.onnx', 'layers, kept inputs and metadata of an exported model')
      .example('$0 inspect runs/mnist-gl --json', 'a run directory as JSON'),
  handler: (a) => {
    if (!fs.existsSync(a.file)) throw new GsError('NOT_FOUND', `${a.file} not found (expected an ONNX file or a run directory)`);
    if (fs.statSync(a.file).isDirectory()) return inspectRun(a.file, a);
    const info = readOnnxInfo(readModelFile(a.file), a.file);
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ kind: 'onnx', ...info })}\n`);
      return;
    }
    process.stdout.write(`${formatOnnx(info, a)}\n`);
  },
};
