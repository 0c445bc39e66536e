import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import { useAction } from '../api/use-api';

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useAction((e: string, p: string) => http.post('/api/v1/session', { email: e, password: p }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await signIn.run(email, password);
    if (ok !== undefined) onSignedIn();
  };
  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">◆</span> Hearth
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <p className="muted">Use the email and password you were given. On a new install, the owner's password is printed when the server first starts.</p>
        <label className="field">
          <span className="field-label">Email</span>
          <input name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label className="field">
          <span className="field-label">Password</span>
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {signIn.error && (
          <p className="form-error" role="alert">
            {signIn.error.describe()}
          </p>
        )}
        <button type="submit" className="primary" disabled={signIn.pending}>
          {signIn.pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
