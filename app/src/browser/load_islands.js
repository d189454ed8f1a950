((js, wasm) => {
  async function hydrateIslands(node, mod) {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    if (node.tagName.toLowerCase() === 'leptos-island') {
      const island = mod[node.dataset.component];
      if (island) {
        await island(node);
      } else {
        console.warn(`Could not find WASM function for the island ${node.dataset.component}.`);
      }
    }
    for (const child of node.children) await hydrateIslands(child, mod);
  }
  const start = () =>
    import(js).then((mod) =>
      mod.default({ module_or_path: wasm }).then(() => {
        mod.hydrate();
        hydrateIslands(document.body, mod);
      }),
    );
  if ('requestIdleCallback' in window) window.requestIdleCallback(start, { timeout: 2000 });
  else start();
})
