/**
 * The normal forms the fraud checks compare: emails (plus-addressing, Gmail's dots), addresses,
 * and the SQL form of the email normalisation agreeing with the code's on every stored customer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseAddress, normaliseEmail } from '../../src/modules/loyalty/index.js';
import { customersByEmail } from '../../src/modules/loyalty/referral.fraud.js';
import { loyaltyDb } from '../../src/modules/loyalty/loyalty.table.js';
import { loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

describe('email', () => {
  it('lower-cases, drops the plus tag, and drops dots only at Gmail', () => {
    expect(normaliseEmail(' Jane.Doe+Shop@GMAIL.com ')).toBe('janedoe@gmail.com');
    expect(normaliseEmail('jane.doe@googlemail.com')).toBe('janedoe@gmail.com');
    expect(normaliseEmail('Jane.Doe+x+y@Outlook.com')).toBe('jane.doe@outlook.com');
    expect(normaliseEmail('+tag@example.com')).toBe('+tag@example.com');
    expect(normaliseEmail('no-at-sign')).toBeUndefined();
    expect(normaliseEmail('trailing@')).toBeUndefined();
  });
});

describe('address', () => {
  it('matches the same address however it is written, and not a neighbour\'s', () => {
    const a = normaliseAddress({ line1: 'Hauptstraße 12', line2: 'Apartment 3', city: 'München', postal_code: '80331', country: 'DE' });
    expect(normaliseAddress({ line1: 'hauptstr. 12', line2: 'apt 3', city: 'MUNCHEN', postal_code: '80 331', country: 'de' })).toBe(a);
    expect(normaliseAddress({ line1: 'Hauptstraße 14', line2: 'Apartment 3', city: 'München', postal_code: '80331', country: 'DE' })).not.toBe(a);
    expect(a).toBe('de|80331|munchen|hauptstr 12 apt 3');
  });
});

describe('the SQL normal form', () => {
  let h: LoyaltyHarness;
  const emails = [
    'Jane.Doe@gmail.com', 'janedoe+a@googlemail.com', 'j.a.n.e.d.o.e@GMAIL.COM', 'jane.doe@outlook.com', 'janedoe@outlook.com',
    'jane.doe+news@outlook.com', 'Bob+@example.com', 'bob@example.com', 'b.o.b@example.com', 'ana+x+y@ex-ample.co.uk', 'ANA@ex-ample.co.uk',
  ];
  beforeAll(async () => {
    h = await loyaltyHarness(settingsWith());
    await h.write({ customers: emails.map((email, i) => ({ external_id: `c${i}`, email })) });
  }, 60_000);
  afterAll(async () => h.close());

  it('finds exactly the customers whose email the code normalises to the same mailbox', async () => {
    const db = loyaltyDb(h.t.services.storage.read);
    const ids = await Promise.all(emails.map((_, i) => h.customerId(`c${i}`)));
    for (const email of emails) {
      const mailbox = normaliseEmail(email)!;
      const expected = emails.map((e, i) => (normaliseEmail(e) === mailbox ? ids[i]! : null)).filter((id): id is number => id !== null).sort((a, b) => a - b);
      expect(await customersByEmail(db, h.storeId, mailbox), email).toEqual(expected);
    }
  });
});
