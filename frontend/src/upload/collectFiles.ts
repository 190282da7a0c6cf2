/** Turns a drop or a file/folder picker into UploadFiles, walking dropped folders (a CD's DICOM tree). */
import type { UploadFile } from './uploadQueue';

interface FileSystemEntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
  file?: (success: (file: File) => void, failure: (error: unknown) => void) => void;
  createReader?: () => { readEntries: (success: (entries: FileSystemEntryLike[]) => void, failure: (e: unknown) => void) => void };
}

function relativeName(file: File): string {
  const rel = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
  return rel || file.name;
}

export function fromFileList(list: FileList | readonly File[]): UploadFile[] {
  return Array.from(list).map((file) => ({ name: relativeName(file), size: file.size, blob: file }));
}

async function walk(entry: FileSystemEntryLike, out: UploadFile[]): Promise<void> {
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((resolve, reject) => entry.file!(resolve, reject));
    out.push({ name: entry.fullPath.replace(/^\//, ''), size: file.size, blob: file });
    return;
  }
  if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    // readEntries answers in batches until it returns an empty list.
    for (;;) {
      const batch = await new Promise<FileSystemEntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, out);
    }
  }
}

/** All files of a drop, including those inside dropped folders. */
export async function fromDataTransfer(data: DataTransfer): Promise<UploadFile[]> {
  const entries: FileSystemEntryLike[] = [];
  for (const item of Array.from(data.items ?? [])) {
    const entry = (item as DataTransferItem & { webkitGetAsEntry?: () => FileSystemEntryLike | null }).webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return fromFileList(data.files);
  const out: UploadFile[] = [];
  for (const entry of entries) await walk(entry, out);
  return out;
}
