/**
 * Shards: `--shard i/n` runs configurations whose grid index is i-1 modulo n (round robin, so
 * each slice gets a mix of cheap and expensive settings). The slices of 1/n..n/n partition the grid.
 * `--shard auto` reads the slice from an array job's variables: Kubernetes Indexed Jobs
 * (JOB_COMPLETION_INDEX, 0-based, with the count from --shard-count or GS_SHARD_COUNT) or Slurm
 * job arrays (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, counted from SLURM_ARRAY_TASK_MIN in
 * steps of SLURM_ARRAY_TASK_STEP, so an array 1-8 or 0-14:2 works).
 */
import { GsError } from '../errors';

export interface Shard {
  /** 1-based slice number. */
  index: number;
  count: number;
  /** Where an automatic shard came from: 'kubernetes' or 'slurm'. */
  source?: 'kubernetes' | 'slurm';
}

export interface ShardOptions {
  /** The environment to read for `auto` (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** --shard-count: the number of slices, for job systems whose variables do not give it. */
  count?: number;
}

function whole(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new GsError('BAD_OPTION', `--shard auto: ${name}=${JSON.stringify(value ?? '')} is not valid; expected a whole number >= ${min}`);
  }
  return n;
}

/** The number of slices from --shard-count or $GS_SHARD_COUNT, or undefined. */
function countFrom(opts: ShardOptions, env: NodeJS.ProcessEnv): number | undefined {
  if (opts.count !== undefined) return whole('--shard-count', String(opts.count), 1);
  if (env.GS_SHARD_COUNT !== undefined) return whole('GS_SHARD_COUNT', env.GS_SHARD_COUNT, 1);
  return undefined;
}

function checked(index0: number, count: number, where: string, source: Shard['source']): Shard {
  if (index0 >= count) {
    throw new GsError(
      'BAD_OPTION',
      `--shard auto: ${where} gives slice ${index0 + 1} of ${count}; expected at most ${count} (is the count right?)`,
    );
  }
  return { index: index0 + 1, count, source };
}

/** The shard of this array-job task, from Kubernetes Indexed Job or Slurm job array variables. */
export function shardFromEnv(opts: ShardOptions = {}): Shard {
  const env = opts.env ?? process.env;
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const index0 = whole('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX, 0);
    const count = countFrom(opts, env);
    if (count === undefined) {
      throw new GsError(
        'BAD_OPTION',
        `--shard auto: JOB_COMPLETION_INDEX=${index0} (a Kubernetes Indexed Job) gives this task's index but not the number of tasks; pass --shard-count N or set GS_SHARD_COUNT=N (the Job's spec.completions)`,
      );
    }
    return checked(index0, count, `JOB_COMPLETION_INDEX=${index0}`, 'kubernetes');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = whole('SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID, 0);
    const min = env.SLURM_ARRAY_TASK_MIN !== undefined ? whole('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN, 0) : 0;
    const step = env.SLURM_ARRAY_TASK_STEP !== undefined ? whole('SLURM_ARRAY_TASK_STEP', env.SLURM_ARRAY_TASK_STEP, 1) : 1;
    if (id < min || (id - min) % step !== 0) {
      throw new GsError(
        'BAD_OPTION',
        `--shard auto: SLURM_ARRAY_TASK_ID=${id} is not in the array from SLURM_ARRAY_TASK_MIN=${min} in steps of ${step}`,
      );
    }
    const count =
      countFrom(opts, env) ??
      (env.SLURM_ARRAY_TASK_COUNT !== undefined ? whole('SLURM_ARRAY_TASK_COUNT', env.SLURM_ARRAY_TASK_COUNT, 1) : undefined);
    if (count === undefined) {
      throw new GsError(
        'BAD_OPTION',
        `--shard auto: SLURM_ARRAY_TASK_ID=${id} is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard-count N or set GS_SHARD_COUNT=N`,
      );
    }
    return checked((id - min) / step, count, `SLURM_ARRAY_TASK_ID=${id} (min ${min}, step ${step})`, 'slurm');
  }
  throw new GsError(
    'BAD_OPTION',
    '--shard auto: not running as an array-job task; expected JOB_COMPLETION_INDEX (Kubernetes Indexed Job, with --shard-count N or GS_SHARD_COUNT) or SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (Slurm job array); or give --shard i/n',
  );
}

/** `i/n`, or `auto` (the array-job variables, see shardFromEnv). */
export function parseShard(text: string, opts: ShardOptions = {}): Shard {
  if (String(text).trim() === 'auto') return shardFromEnv(opts);
  if (opts.count !== undefined)
    throw new GsError('BAD_OPTION', `--shard-count goes with --shard auto; --shard ${text} already gives the count`);
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(text));
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new GsError('BAD_OPTION', `--shard ${text}: expected i/n with 1 <= i <= n, e.g. 2/4, or auto (from the array job's variables)`);
  }
  return { index, count };
}

/** The items of slice `index` (1-based) of `count`. */
export function shardOf<T>(items: readonly T[], index: number, count: number): T[] {
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 1 && index <= count)) {
    throw new GsError('BAD_OPTION', `shard ${index}/${count}: expected 1 <= i <= n`);
  }
  return items.filter((_, k) => k % count === index - 1);
}
