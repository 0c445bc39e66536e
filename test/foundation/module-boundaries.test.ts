/** The lint rule that keeps each module's index.ts its only public door, run on real code. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();
const lint = async (file: string, code: string) => (await eslint.lintText(code, { filePath: file }))[0]!.messages.map((m) => `${m.ruleId}: ${m.message}`);

describe('module boundaries', () => {
  it("fails on an import of another module's inner file, from a module and from the composition root", async () => {
    expect(await lint('src/modules/segments/example.ts', "import { listOrders } from '../orders/orders.repository.js';\nexport const f = listOrders;\n"))
      .toEqual(["hearth/module-boundaries: Import 'orders' through src/modules/orders/index.js, not its inner file 'orders.repository.js'."]);
    expect(await lint('src/services.ts', "export { CommerceWriter } from './modules/commerce/commerce.writer.js';\n"))
      .toEqual(["hearth/module-boundaries: Import 'commerce' through src/modules/commerce/index.js, not its inner file 'commerce.writer.js'."]);
  });

  it('accepts the index, a module importing its own files, and tests reaching inside', async () => {
    expect(await lint('src/modules/segments/example.ts', "import { CommerceService } from '../commerce/index.js';\nimport { refreshMembers } from './segment-refresh.js';\nexport const f = [CommerceService, refreshMembers];\n")).toEqual([]);
    expect(await lint('src/modules/segments/example.test.ts', "import { listOrders } from '../orders/orders.repository.js';\nexport const f = listOrders;\n")).toEqual([]);
  });

});
