import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderTable } from './report';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: a package, a file of this project, or the runtime. */
function origin(url: string): string {
  if (!url) return '(runtime)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node';
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + '/dist/'.length) : url;
}

/** `bench cpuprofile FILE [--top N]`: self time by function and by package, from `node --cpu-prof` output. */
export async function summarizeProfile(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { top: { type: 'string' } } });
  const file = positionals[0];
  if (!file) throw new Error('usage: bundlegraph bench cpuprofile FILE [--top N]');
  const top = Number(values.top ?? 25);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${origin(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const where = frame.url ? origin(frame.url) : frame.functionName.startsWith('(') ? frame.functionName : '(runtime)';
    byOrigin.set(where, (byOrigin.get(where) ?? 0) + us);
  }
  const rows = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => [name, (us / 1000).toFixed(0), ((100 * us) / total).toFixed(1)]);
  const out = [
    `${path.basename(file)}: ${(total / 1e6).toFixed(1)} s profiled`,
    '',
    renderTable([['self time by function', 'ms', '%'], ...rows(byFunction, top)], [0]),
    '',
    renderTable([['self time by origin', 'ms', '%'], ...rows(byOrigin, top)], [0]),
    '',
  ];
  process.stdout.write(out.join('\n'));
}
