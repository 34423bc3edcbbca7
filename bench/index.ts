const USAGE = `Usage: bundlegraph bench <benchmark> [options]

  ingest [--runs N] [--sizes 259,10k,100k,1M] [--quick] ...   CSV upload throughput against a raw COPY (--help)
  bundles [--runs N] [--sizes 40,1000,10000] [--duration S]  bundle saves against insertMany; recommendedBundles under load
  coverage [--lines 1M] [--variants 50k] [--runs N]           Run.coverage per field and whole, cold / matching / warm
  generate [--runs N] [--lines 1M] [--items 20k] [--quick]    bundlesGenerate end to end; ranks of the planted pairs
  cpuprofile FILE [--top N]                                   the functions with the most self time in a .cpuprofile
`;

/** Entry point of `bundlegraph bench` (and `npm run bench -- ...`). */
export async function runBench(args: string[]): Promise<void> {
  const [name, ...rest] = args;
  switch (name) {
    case 'ingest':
      return (await import('./ingest')).runIngestBench(rest);
    case 'bundles':
      return (await import('./bundles')).runBundlesBench(rest);
    case 'coverage':
      return (await import('./coverage')).runCoverageBench(rest);
    case 'generate':
      return (await import('./generation')).runGenerationBench(rest);
    case 'cpuprofile':
      return (await import('./cpuprofile')).summarizeProfile(rest);
    default:
      process.stderr.write((name ? `unknown benchmark "${name}"\n\n` : '') + USAGE);
      process.exitCode = 2;
  }
}
