// Command-line entry (placeholder until issue 3 lands the real CLI).
export async function main(argv: string[]): Promise<void> {
  if (argv.includes('-version') || argv.includes('--version')) {
    process.stdout.write('Version: 0.1.0\n');
    return;
  }
  process.stderr.write('lsyncd-ts: not implemented yet\n');
  process.exitCode = 255;
}
