import { createServer } from 'node:http';

/**
 * A shop's page on its own origin (another port than Hearth's), as a storefront widget meets it:
 * `render` writes the HTML for each requested path. Answers the shop's base URL and how to close it.
 */
export async function shopPage(render: (url: string) => string): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(render(request.url ?? '/'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
