/**
 * What a password must be: 10 to 256 characters (argon2 hashes any length, but a megabyte-long
 * password is a way to spend the server's CPU), and not trivially guessable — not one character
 * repeated, not a run of the keyboard or the alphabet, not the email or its name part, not one of
 * the most common long passwords (after NIST SP 800-63B §5.1.1.2: check against breached lists).
 */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/** Long passwords that top the breached-password lists. */
const common = new Set([
  'password12', 'password123', 'password1234', 'passw0rd123', 'qwertyuiop', 'qwertyuiop1', 'qwerty1234', 'qwerty12345', '1q2w3e4r5t',
  '1qaz2wsx3edc', 'iloveyou12', 'iloveyou123', 'welcome123', 'letmein123', 'admin12345', 'administrator', 'changeme123', 'trustno1trustno1',
  'football123', 'baseball123', 'sunshine123', 'princess123', 'monkey1234', 'dragon1234', 'superman123', 'starwars123', 'abcdefghij',
  'abc1234567', 'asdfghjkl1', 'zaq12wsxcde', 'correcthorsebatterystaple', 'hearth12345', 'shopify123', 'password!!',
]);

const runs = ['0123456789012345678901234567890', 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm', '9876543210987654321098765432109'];

/** The reason a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  const plain = password.toLowerCase();
  if (/^(.)\1+$/.test(plain) || /^(.{1,4})\1+$/.test(plain)) return 'is one short pattern repeated; choose something harder to guess';
  if (runs.some((run) => run.includes(plain))) return 'is a run of the keyboard or the alphabet; choose something harder to guess';
  if (common.has(plain.replace(/\s+/g, ''))) return 'is one of the most common passwords; choose something harder to guess';
  const address = email?.trim().toLowerCase();
  if (address && (plain === address || plain === address.split('@')[0])) return 'must not be your email address';
  return undefined;
}
