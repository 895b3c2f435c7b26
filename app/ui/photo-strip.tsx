// A row of evidence photos, each opening full size in a new tab. `base` is the folder the keys live
// under (a claim's photos, an appeal's); `alt` names them for a screen reader ("证据照片 1").
export function PhotoStrip({ base, keys, alt }: { base: string; keys: string[]; alt: string }) {
  return (
    <div className="photos">
      {keys.map((key, i) => (
        <a key={key} href={`${base}/${key}`} target="_blank" rel="noreferrer">
          <img src={`${base}/${key}`} alt={`${alt} ${i + 1}`} loading="lazy" />
        </a>
      ))}
    </div>
  );
}
