// Inspectors per grid: one checkbox per grid and inspector (a grid may have several inspectors).
import { Check } from "~/ui/form-parts";
import type { GridChoice, InspectorChoice } from "./rounds.server";

export function AssignChecks({ grids, inspectors, checked, error }: {
  grids: GridChoice[];
  inspectors: InspectorChoice[];
  checked: string[];
  error?: string;
}) {
  if (inspectors.length === 0) return <p className="form-error">本村还没有检查员账号，请村管理员在“账号与角色”里给网格员开通检查员角色。</p>;
  return (
    <div aria-describedby={error ? "f-assign-err" : undefined}>
      {grids.map((g) => (
        <fieldset className="assign-grid" key={g.id}>
          <legend>{g.name}（{g.households} 户）</legend>
          {inspectors.map((i) => (
            <Check key={i.id} name="assign" value={`${g.id}-${i.id}`} label={i.name} defaultChecked={checked.includes(`${g.id}-${i.id}`)} />
          ))}
        </fieldset>
      ))}
      {error ? <p className="field-error" id="f-assign-err">{error}</p> : null}
    </div>
  );
}
