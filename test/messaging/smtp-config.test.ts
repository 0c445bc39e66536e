/** HEARTH_SMTP_URL: an SMTP URL or nothing (mail stays on the machine); a bad value names the variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('HEARTH_SMTP_URL', () => {
  it('is the operator\'s SMTP server when given, and nothing by default', () => {
    expect(loadConfig({}).smtpUrl).toBeUndefined();
    expect(loadConfig({ HEARTH_SMTP_URL: '' }).smtpUrl).toBeUndefined();
    expect(loadConfig({ HEARTH_SMTP_URL: 'smtps://user:pass@mail.example:465' }).smtpUrl).toBe('smtps://user:pass@mail.example:465');
  });

  it('refuses anything but an smtp or smtps URL, naming the variable', () => {
    for (const bad of ['mail.example:587', 'http://mail.example', 'smtp://has space']) {
      expect(() => loadConfig({ HEARTH_SMTP_URL: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ HEARTH_SMTP_URL: bad })).toThrow(/HEARTH_SMTP_URL: must look like smtp:\/\/user:password@host:587/);
    }
  });
});
