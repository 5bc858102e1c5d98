// A line chart drawn by uPlot, loaded on demand: only the screens that chart download it.
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../lib/i18n";

export interface Series {
  label: string;
  values: (number | null)[];
}

const COLORS = ["#b3261e", "#1a73e8", "#188038", "#e37400", "#7b1fa2", "#00838f"];

export function LineChart({ labels, series, title, max }: { labels: string[]; series: Series[]; title: string; max?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let chart: { destroy(): void } | null = null;
    let alive = true;
    void Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")])
      .then(([{ default: UPlot }]) => {
        if (!alive || !box.current) return;
        const width = box.current.clientWidth || 320;
        chart = new UPlot(
          {
            width,
            height: 220,
            scales: { x: { time: false }, y: { range: [0, max ?? null] as never } },
            axes: [{ values: (_u: unknown, ticks: number[]) => ticks.map((i) => labels[i] ?? "") }, { size: 40 }],
            legend: { show: false },
            series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: { size: 6 } }))],
          },
          [labels.map((_, i) => i), ...series.map((s) => s.values)] as never,
          box.current,
        );
      })
      .catch(() => setFailed(true));
    return () => {
      alive = false;
      chart?.destroy();
    };
  }, [JSON.stringify(labels), JSON.stringify(series)]);
  return (
    <figure class="chart">
      <div ref={box} role="img" aria-label={title} />
      {failed && <p class="muted small">{t("errOfflineScreen")}</p>}
      <figcaption>
        <ul class="legend">
          {series.map((s, i) => (
            <li>
              <span class="swatch" style={{ background: COLORS[i % COLORS.length] }} aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
