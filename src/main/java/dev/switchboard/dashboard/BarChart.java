package dev.switchboard.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A bar chart laid out for an inline SVG (templates/tags/barchart.html): the geometry is computed here, so the page
 * needs no chart library and no script. Values are non-negative; the tallest bar fills the plot height.
 */
public record BarChart(String title, String unit, List<Bar> bars, int width, int height) {

    static final int WIDTH = 640;
    static final int HEIGHT = 220;
    static final int TOP = 22;
    static final int BOTTOM = 34;
    static final int LEFT = 8;

    /** One bar: its label under the axis, its value shown above it, and its box. */
    public record Bar(String label, double value, String valueLabel, double x, double y, double w, double h,
            double labelX) {}

    public record Point(String label, double value) {}

    public static BarChart of(String title, String unit, List<Point> points) {
        double max = points.stream().mapToDouble(Point::value).max().orElse(0);
        double plot = HEIGHT - TOP - BOTTOM;
        double slot = points.isEmpty() ? 0 : (double) (WIDTH - 2 * LEFT) / points.size();
        double barWidth = slot * 0.7;
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            double h = max <= 0 ? 0 : p.value() / max * plot;
            double x = LEFT + i * slot + (slot - barWidth) / 2;
            bars.add(new Bar(p.label(), p.value(), number(p.value()), round(x), round(TOP + plot - h),
                    round(barWidth), round(h), round(x + barWidth / 2)));
        }
        return new BarChart(title, unit, List.copyOf(bars), WIDTH, HEIGHT);
    }

    public boolean empty() {
        return bars.stream().allMatch(b -> b.value() == 0);
    }

    public int axisY() {
        return HEIGHT - BOTTOM;
    }

    public int labelY() {
        return HEIGHT - BOTTOM + 16;
    }

    /** Whole numbers as such, others with one decimal. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
