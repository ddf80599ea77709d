// Annotations drawn on a canvas at coordinates normalised to an area of it (the shared screen), fading away after a
// few seconds. The console draws what the agent sends over the customer's screen; the customer's side draws what it
// receives over the whole viewport.
import type { Annotation, AnnotationKind } from "./contract";

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Mark = Pick<Annotation, "kind" | "points" | "color">;

interface Shown {
  kind: Exclude<AnnotationKind, "clear">;
  points: number[][];
  color: string;
  at: number;
}

/** How long a mark stays fully visible, and how long it then takes to fade out. */
export const InkHoldMs = 4000;
export const InkFadeMs = 1500;
export const InkColours = ["#e11d48", "#f59e0b", "#16a34a", "#2563eb"] as const;

const colour = /^#[0-9a-fA-F]{6}$/;
const inRange = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0 && n <= 1;

export class InkLayer {
  private marks: Shown[] = [];
  private draft: Shown | null = null;
  private frame = 0;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly area: () => Area | null) {}

  get isEmpty(): boolean {
    return this.marks.length === 0 && !this.draft;
  }

  add(mark: Mark): void {
    if (mark.kind === "clear") {
      this.marks = [];
      this.draft = null;
      this.render();
      return;
    }
    const points = (mark.points ?? []).filter((p) => Array.isArray(p) && p.length === 2 && inRange(p[0]) && inRange(p[1]));
    if (points.length === 0 || (mark.kind !== "stroke" && mark.kind !== "pointer")) return;
    this.marks.push({ kind: mark.kind, points, color: colour.test(mark.color) ? mark.color : InkColours[0], at: performance.now() });
    this.schedule();
  }

  /** The stroke under the pen, shown before it is sent. */
  setDraft(points: number[][] | null, color: string): void {
    this.draft = points && points.length ? { kind: "stroke", points, color, at: performance.now() } : null;
    this.schedule();
  }

  clear(): void {
    this.add({ kind: "clear", points: [], color: InkColours[0] });
  }

  /** Draws now (after a resize, say) and keeps drawing while anything is fading. */
  render(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    const canvas = this.canvas;
    const g = canvas.getContext("2d");
    if (!g) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, canvas.width, canvas.height);
    const now = performance.now();
    this.marks = this.marks.filter((m) => now - m.at < InkHoldMs + InkFadeMs);
    const area = this.area();
    if (area && area.width > 0 && area.height > 0) {
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      for (const mark of this.marks) {
        const age = now - mark.at;
        draw(g, mark, area, age <= InkHoldMs ? 1 : Math.max(0, 1 - (age - InkHoldMs) / InkFadeMs));
      }
      if (this.draft) draw(g, this.draft, area, 1);
    }
    if (this.marks.length > 0) this.schedule();
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }
}

function draw(g: CanvasRenderingContext2D, mark: Shown, area: Area, alpha: number): void {
  const at = (p: number[]): [number, number] => [area.x + p[0] * area.width, area.y + p[1] * area.height];
  g.save();
  g.globalAlpha = alpha;
  g.lineCap = "round";
  g.lineJoin = "round";
  if (mark.kind === "pointer") {
    const [x, y] = at(mark.points[0]);
    g.lineWidth = 7;
    g.strokeStyle = "rgba(255,255,255,0.85)";
    g.beginPath();
    g.arc(x, y, 18, 0, Math.PI * 2);
    g.stroke();
    g.lineWidth = 4;
    g.strokeStyle = mark.color;
    g.stroke();
    g.fillStyle = mark.color;
    g.beginPath();
    g.arc(x, y, 6, 0, Math.PI * 2);
    g.fill();
  } else if (mark.points.length === 1) {
    const [x, y] = at(mark.points[0]);
    g.fillStyle = mark.color;
    g.beginPath();
    g.arc(x, y, 4, 0, Math.PI * 2);
    g.fill();
  } else {
    g.beginPath();
    mark.points.forEach((p, i) => (i === 0 ? g.moveTo(...at(p)) : g.lineTo(...at(p))));
    g.lineWidth = 8;
    g.strokeStyle = "rgba(255,255,255,0.7)";
    g.stroke();
    g.lineWidth = 4;
    g.strokeStyle = mark.color;
    g.stroke();
  }
  g.restore();
}
