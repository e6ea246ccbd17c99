// sharp_variants.js - the sharp peer of the image bench: one node process
// makes the same four variants imgpipe makes (thumb 200, medium 800,
// large 1600 JPEG q82, medium-webp 800 WebP q80; EXIF auto-rotation,
// never enlarged, metadata not kept) from one input.
//
//   node sharp_variants.js INPUT OUTDIR
//
// sharp is found through NODE_PATH (bench_image.py points it at
// build/bench-node/node_modules).
'use strict';
const path = require('path');
const sharp = require('sharp');

async function main() {
	const [input, out] = process.argv.slice(2);
	const base = sharp(input, { failOn: 'error' }).rotate();
	const fit = (s) => ({ width: s, height: s, fit: 'inside', withoutEnlargement: true });
	await Promise.all([
		base.clone().resize(fit(200)).jpeg({ quality: 82 }).toFile(path.join(out, 'thumb.jpg')),
		base.clone().resize(fit(800)).jpeg({ quality: 82 }).toFile(path.join(out, 'medium.jpg')),
		base.clone().resize(fit(1600)).jpeg({ quality: 82 }).toFile(path.join(out, 'large.jpg')),
		base.clone().resize(fit(800)).webp({ quality: 80 }).toFile(path.join(out, 'medium-webp.webp')),
	]);
}

main().catch((e) => {
	console.error(e.message);
	process.exit(1);
});
