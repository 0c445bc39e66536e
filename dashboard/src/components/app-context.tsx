import { createContext, useContext } from 'react';
import type { Role, Session, StoreSettings } from '../api/types';
import type { Formatter } from './format';

export interface AppState {
  session: Session;
  store: StoreSettings;
  role: Role;
  /** Owners and admins change things; analysts only read. */
  canWrite: boolean;
  isOwner: boolean;
  fmt: Formatter;
  reloadStore: () => void;
  signOut: () => void;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside the signed-in app');
  return state;
}
