/**
 * A chart: ECharts (chart-engine.ts), loaded the first time a page draws one, so pages without a
 * chart never download it. Every chart gets a text description for screen readers (aria) and is
 * focusable.
 */
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef } from 'react';

export type ChartOption = EChartsCoreOption;

let engine: Promise<typeof import('./chart-engine')> | undefined;
const loadEngine = () => (engine ??= import('./chart-engine'));

export const palette = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f', '#64748b', '#ea580c'];

const textStyle = { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', color: '#1f2937' };

/**
 * ECharts renders tooltip formatters' strings as HTML: every value that came from the store's data
 * (a product title, a channel, a cohort label) goes through this first.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Axis defaults: a visible name (the unit) and readable labels. */
export function axis(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, nameLocation: 'middle', nameGap: 36, nameTextStyle: { color: '#374151', fontWeight: 600 }, axisLabel: { color: '#374151' }, ...extra };
}

export function Chart({ option, height = 320, label, onClick }: { option: ChartOption; height?: number; label: string; onClick?: (params: { data: unknown; dataIndex: number; seriesIndex?: number; name: string }) => void }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;
  const optionRef = useRef(option);
  optionRef.current = option;
  const draw = (instance: ECharts, value: ChartOption) => instance.setOption({ color: palette, textStyle, aria: { enabled: true }, animation: false, ...value }, { notMerge: true });

  useEffect(() => {
    let gone = false;
    let observer: ResizeObserver | undefined;
    void loadEngine().then(({ createChart }) => {
      if (gone || !element.current) return;
      const instance = createChart(element.current);
      chart.current = instance;
      instance.on('click', (params) => clickRef.current?.(params as never));
      observer = new ResizeObserver(() => instance.resize());
      observer.observe(element.current);
      // The option the page gave while the engine was loading.
      draw(instance, optionRef.current);
    });
    return () => {
      gone = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (chart.current) draw(chart.current, option);
  }, [option]);

  return <div ref={element} className="chart" style={{ height }} role="img" aria-label={label} tabIndex={0} />;
}
