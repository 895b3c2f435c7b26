// How Node runs the production server, wherever it is started (npm start, the tests, the bench).
//
// V8 sizes its old generation from how fast the program allocates and how much memory the machine
// has, not from what the program keeps: under the bench's load the server keeps ~30–45 MB alive,
// yet on a 24 GiB machine V8 let the heap grow to 130–160 MB and the process to 230–300 MB RSS,
// mostly garbage not yet collected. A 160 MB old generation is still 3–5× the live set and keeps
// RSS near 150 MB (bench-method.md, decision 0028).
// A young generation of 32 MB semi-spaces (16 by default) lets a request's short-lived objects die
// young instead of being copied twice and promoted: ~5–10 % less server CPU per checkout request
// under the 32-keeper load, for ~50 MB more RSS.
export const SERVER_NODE_FLAGS = ["--max-old-space-size=160", "--max-semi-space-size=32"];
