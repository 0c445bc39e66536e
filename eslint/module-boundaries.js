/**
 * ESLint rule: a module's only public door is its `index.ts`. Outside `src/modules/<name>/`,
 * code (other modules, the HTTP layer, the CLI, jobs, the composition root) may import
 * `src/modules/<name>/index.js` and nothing else of it. Tests may reach inside the module they test.
 */
import { dirname, relative, resolve, sep } from 'node:path';

const modulesRoot = resolve('src', 'modules');

/** The module a path belongs to, and the path inside it. */
function locate(file) {
  const inside = relative(modulesRoot, file);
  if (inside.startsWith('..') || inside === '') return undefined;
  const [name, ...rest] = inside.split(sep);
  return { name, inner: rest.join('/') };
}

const isIndex = (inner) => /^index\.(js|ts)$/.test(inner);

export const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: "Import another module only through its index.ts" },
    messages: { inner: "Import '{{module}}' through src/modules/{{module}}/index.js, not its inner file '{{inner}}'." },
    schema: [],
  },
  create(context) {
    const file = resolve(context.filename);
    const own = locate(file);
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = locate(resolve(dirname(file), source.value));
      if (!target || target.name === own?.name || isIndex(target.inner)) return;
      context.report({ node, messageId: 'inner', data: { module: target.name, inner: target.inner } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

export default { rules: { 'module-boundaries': moduleBoundaries } };
