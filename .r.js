global.gc(); const a = process.memoryUsage(); const t=performance.now();
for (const m of process.argv.slice(2)) require(m);
global.gc(); const b = process.memoryUsage();
console.log(process.argv.slice(2).join(" "), "ms", (performance.now()-t).toFixed(0), "rss +", ((b.rss - a.rss)/1e6).toFixed(0), "heap +", ((b.heapUsed-a.heapUsed)/1e6).toFixed(0), "ext +", ((b.external-a.external)/1e6).toFixed(0));
