// The camera and photo readers of 扫码核销. qr-scanner (and its decoding worker) is loaded only when
// this box mounts, so no other page pays for it. Reading a code hands its text to onCode.
// The page's 8-digit form (children) sits right under the picture; when the camera is not running the
// black picture goes, so the form is on the first screen of a phone either way.
import { useEffect, useRef, useState, type ReactNode } from "react";

type Scanner = { start(): Promise<void>; stop(): void; destroy(): void };

export function ScanBox({ onCode, paused, children }: { onCode: (text: string, via: "camera" | "photo") => void; paused: boolean; children?: ReactNode }) {
  const video = useRef<HTMLVideoElement>(null);
  const scanner = useRef<Scanner | null>(null);
  const [state, setState] = useState<"idle" | "starting" | "on" | "error">("idle");
  const [error, setError] = useState<string | null>(null);
  const last = useRef<{ text: string; at: number } | null>(null);
  const handler = useRef(onCode);
  handler.current = onCode;

  async function start() {
    setState("starting");
    setError(null);
    try {
      const { default: QrScanner } = await import("qr-scanner");
      if (!scanner.current) {
        scanner.current = new QrScanner(
          video.current!,
          (r: { data: string }) => {
            // The same code is seen many times a second: hand it on once every few seconds at most.
            const t = Date.now();
            if (last.current && last.current.text === r.data && t - last.current.at < 4000) return;
            last.current = { text: r.data, at: t };
            handler.current(r.data, "camera");
          },
          { returnDetailedScanResult: true, preferredCamera: "environment", maxScansPerSecond: 8 },
        ) as unknown as Scanner;
      }
      await scanner.current.start();
      setState("on");
    } catch {
      setState("error");
      setError("打不开摄像头。请输入上面的 8 位数字，或用“拍照识别”；允许使用摄像头后，点“重新打开摄像头”。");
    }
  }

  useEffect(() => {
    void start();
    return () => scanner.current?.destroy();
  }, []);

  useEffect(() => {
    if (!scanner.current) return;
    if (paused) scanner.current.stop();
    else if (state === "on") void scanner.current.start();
  }, [paused, state]);

  async function fromPhoto(file: File | undefined) {
    if (!file) return;
    setError(null);
    try {
      const { default: QrScanner } = await import("qr-scanner");
      const r = await QrScanner.scanImage(file, { returnDetailedScanResult: true });
      handler.current(r.data, "photo");
    } catch {
      setError("照片里没有找到二维码，请再拍一张清楚的，或输入 8 位数字");
    }
  }

  const running = state === "on" || state === "starting";
  return (
    <div className="stack">
      {/* Kept in the page (hidden) while off: qr-scanner holds on to this video element. */}
      <div className="scanbox" hidden={!running}>
        <video ref={video} muted playsInline data-testid="scan-video" />
        <div className="hint">{state === "on" ? "把兑换码或户卡放进画面" : "正在打开摄像头……"}</div>
      </div>
      {children}
      {error ? <p className="form-error" role="alert">{error}</p> : null}
      {state === "error" ? <button type="button" className="secondary" onClick={() => void start()}>重新打开摄像头</button> : null}
      <div>
        {/* The browser's own file button speaks English; this label is the button, in Chinese. */}
        <label htmlFor="scan-photo" className="button secondary photo-pick">拍照识别</label>
        <input id="scan-photo" className="sr-only" type="file" accept="image/*" capture="environment" onChange={(e) => void fromPhoto(e.target.files?.[0])} />
      </div>
    </div>
  );
}
