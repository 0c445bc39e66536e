import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import hearth from './eslint/module-boundaries.js';

export default tseslint.config(
  { ignores: ['dist/**', 'dashboard/dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', window: 'readonly', document: 'readonly', navigator: 'readonly', fetch: 'readonly', performance: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through src/config.ts only.' },
      ],
    },
  },
  {
    // A module's only public door is its index.ts (tests may reach inside what they test).
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { hearth },
    rules: { 'hearth/module-boundaries': 'error' },
  },
  {
    files: ['src/config.ts', 'scripts/**', 'bench/**', 'test/**', 'bin/**', '**/*.test.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
