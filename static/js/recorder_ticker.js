/* Worker for recorder.js: its timer keeps ticking in a hidden tab, where the page's own timers
 * are throttled to once a second. A file, not a blob: URL, so worker-src stays 'self'. */
setInterval(function () { postMessage(0); }, Math.round(1000 / 15));
