/** The demo module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { DEMO_DEFAULTS, type DemoOptions, MAX_CUSTOMERS, validateDemoOptions } from './demo.generator.js';
export { DEMO_LOGIN_FILE, type DemoResult, ensureDemoStore } from './demo.service.js';
