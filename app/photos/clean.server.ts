// Every uploaded picture is re-encoded before it is stored: turned upright by its EXIF orientation,
// shrunk to a longest edge (never enlarged), and written as a new image. sharp writes no metadata
// unless asked, so the EXIF (GPS position, camera, time), XMP, ICC profile and comments of the
// original are gone, and the original itself is never kept.
// Decoding runs on libuv's thread pool (async): call it before a transaction, never inside one.
import sharp from "sharp";

// A 5 MB upload can still declare a huge canvas (a decompression bomb); 100 MP covers every phone
// camera's full-size picture.
const MAX_INPUT_PIXELS = 100_000_000;

export interface CleanFormat {
  mime: string;
  ext: string;
  longEdge: number;
}

/** Evidence photos (claims, inspections): camera pictures, JPEG opens anywhere they are saved or printed. */
export const EVIDENCE: CleanFormat = { mime: "image/jpeg", ext: "jpg", longEdge: 1600 };
/** Goods pictures: shown at most 240 px wide on the shelf; WebP as the store has always served them. */
export const GOODS: CleanFormat = { mime: "image/webp", ext: "webp", longEdge: 640 };

/** The picture re-encoded without metadata, or null when sharp cannot decode it. */
export async function cleanImage(bytes: Buffer, format: CleanFormat = EVIDENCE): Promise<Buffer | null> {
  try {
    const image = sharp(bytes, { failOn: "error", limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true })
      .resize(format.longEdge, format.longEdge, { fit: "inside", withoutEnlargement: true });
    return await (format.mime === "image/webp"
      ? image.webp({ quality: 82 })
      : image.flatten({ background: "#ffffff" }).jpeg({ quality: 80 }) // a transparent PNG turns white, not black
    ).toBuffer();
  } catch {
    return null;
  }
}
