// A tiny canvas line chart: no chart library, one draw per data change, crisp on HiDPI screens.
import { useEffect, useRef } from 'react';

interface Props {
  values: readonly number[];
  color: string;
  height?: number;
  label: string;
}

export function Sparkline({ values, color, height = 44, label }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const draw = (): void => drawLine(canvas, values, color, height);
    draw();
    const ro = new ResizeObserver(draw);
    ro.observe(canvas);
    return () => ro.disconnect();
  }, [values, color, height]);
  return <canvas ref={ref} className="sparkline" style={{ height }} role="img" aria-label={label} data-points={values.length} />;
}

function drawLine(canvas: HTMLCanvasElement, values: readonly number[], color: string, height: number): void {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  if (width === 0) return;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (values.length === 0) return;
  const max = Math.max(...values, 1e-9);
  const min = Math.min(0, ...values);
  const pad = 4;
  const x = (i: number): number => (values.length === 1 ? width - pad : pad + (i / (values.length - 1)) * (width - 2 * pad));
  const y = (v: number): number => height - pad - ((v - min) / (max - min)) * (height - 2 * pad);
  ctx.beginPath();
  values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
  ctx.lineWidth = 1.6;
  ctx.strokeStyle = color;
  ctx.lineJoin = 'round';
  ctx.stroke();
  // Soft fill under the line.
  ctx.lineTo(x(values.length - 1), height);
  ctx.lineTo(x(0), height);
  ctx.closePath();
  const grad = ctx.createLinearGradient(0, 0, 0, height);
  grad.addColorStop(0, `${color}55`);
  grad.addColorStop(1, `${color}00`);
  ctx.fillStyle = grad;
  ctx.fill();
  const last = values[values.length - 1]!;
  ctx.beginPath();
  ctx.arc(x(values.length - 1), y(last), 2.6, 0, Math.PI * 2);
  ctx.fillStyle = color;
  ctx.fill();
}
