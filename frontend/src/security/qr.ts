/**
 * QR codes drawn in the browser (the TOTP secret never leaves the page for an image service).
 * The matrix comes from qrcode-generator; it is drawn as one SVG path so it stays crisp at any size.
 */
import qrcode from 'qrcode-generator';

export type QrMatrix = boolean[][];

/** The module matrix of `text` (byte mode, error correction M, smallest version that fits). */
export function qrMatrix(text: string): QrMatrix {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const size = qr.getModuleCount();
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => qr.isDark(row, col)));
}

/** An SVG path of the dark modules, offset by a quiet zone of `margin` modules; runs are merged per row. */
export function qrPath(matrix: QrMatrix, margin = 4): string {
  const parts: string[] = [];
  matrix.forEach((cells, row) => {
    let col = 0;
    while (col < cells.length) {
      if (!cells[col]) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < cells.length && cells[col]) col += 1;
      parts.push(`M${start + margin} ${row + margin}h${col - start}v1h${start - col}z`);
    }
  });
  return parts.join('');
}
