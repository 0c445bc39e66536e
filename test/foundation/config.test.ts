import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(7600);
    expect(config.publicUrl).toBe('http://127.0.0.1:7600');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('stops with a message naming each bad setting', () => {
    const attempt = () => loadConfig({ HEARTH_PORT: 'eighty', HEARTH_DEFAULT_TIMEZONE: 'Nowhere/City', HEARTH_DB_MEMORY_LIMIT: 'lots' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/HEARTH_PORT/);
      expect(message).toMatch(/HEARTH_DEFAULT_TIMEZONE: must be an IANA time zone/);
      expect(message).toMatch(/HEARTH_DB_MEMORY_LIMIT/);
      expect(message).toMatch(/docs\/configuration\.md/);
    }
  });

  it('lets command-line values win over the environment', () => {
    const config = loadConfig({ HEARTH_PORT: '9000' }, { port: 9100, dataDir: '/tmp/x' });
    expect(config.port).toBe(9100);
    expect(config.dataDir).toBe('/tmp/x');
  });
});
