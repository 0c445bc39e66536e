/**
 * ECharts with only the parts the dashboard draws (heatmap, line, bar), so the bundle stays small.
 * Every chart gets a text description for screen readers (aria) and is focusable.
 */
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, HeatmapChart, LineChart, AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

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
  const chart = useRef<echarts.ECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    if (!element.current) return;
    const instance = echarts.init(element.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => clickRef.current?.(params as never));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ color: palette, textStyle, aria: { enabled: true }, animation: false, ...option }, { notMerge: true });
  }, [option]);

  return <div ref={element} className="chart" style={{ height }} role="img" aria-label={label} tabIndex={0} />;
}
