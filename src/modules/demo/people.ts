/** Names and places for demo customers. Emails use example.com, which can never be delivered. */

export const FIRST_NAMES = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'James', 'Isabella', 'Lucas',
  'Mia', 'Mason', 'Amelia', 'Ethan', 'Harper', 'Logan', 'Evelyn', 'Aiden', 'Abigail', 'Jackson', 'Emily', 'Sebastian',
  'Ella', 'Mateo', 'Grace', 'Owen', 'Chloe', 'Wyatt', 'Zoe', 'Caleb', 'Nora', 'Henry', 'Lily', 'Samuel', 'Hannah',
  'Daniel', 'Aria', 'Leo', 'Layla', 'Julian', 'Riley', 'Ezra', 'Maya', 'Isaac', 'Priya', 'Diego', 'Mei', 'Omar',
  'Fatima', 'Hiro', 'Sofia', 'Andre', 'Keisha', 'Marcus', 'Ana', 'Tomas', 'Ingrid', 'Kwame', 'Lena', 'Ravi'];

export const LAST_NAMES = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez',
  'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young',
  'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall',
  'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Patel', 'Kim', 'Chen', 'Okafor', 'Larsen', 'Novak', 'Murphy',
  'Schmidt', 'Kowalski', 'Haddad'];

export const PLACES: readonly { country: string; share: number; cities: readonly string[] }[] = [
  { country: 'US', share: 0.84, cities: ['Denver', 'Seattle', 'Portland', 'Boulder', 'Salt Lake City', 'Burlington', 'Asheville', 'Boise', 'Minneapolis', 'Austin', 'New York', 'Boston', 'Chicago', 'San Francisco', 'Bend', 'Missoula'] },
  { country: 'CA', share: 0.09, cities: ['Vancouver', 'Calgary', 'Toronto', 'Montreal', 'Squamish'] },
  { country: 'GB', share: 0.04, cities: ['London', 'Manchester', 'Edinburgh', 'Bristol'] },
  { country: 'AU', share: 0.03, cities: ['Sydney', 'Melbourne', 'Hobart'] },
];
