// The end-to-end tests drive Debian's Chromium through playwright-core (no browser download).
// Installs it when missing and we may (root), the way `playwright install --with-deps` would;
// otherwise prints the command to run and fails.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const command = 'apt-get update && apt-get install -y chromium';

if (existsSync(CHROMIUM)) process.exit(0);

if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error(`Chromium is needed for the end-to-end tests and is not at ${CHROMIUM}.\nInstall it with:\n  sudo sh -c '${command}'`);
  process.exit(1);
}

console.log(`Chromium is missing; installing it: ${command}`);
try {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation'], { stdio: 'inherit', env });
} catch (error) {
  console.error(`Installing Chromium failed (${error instanceof Error ? error.message : String(error)}). Run: ${command}`);
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  console.error(`apt-get finished but ${CHROMIUM} is still missing. Run: ${command}`);
  process.exit(1);
}
