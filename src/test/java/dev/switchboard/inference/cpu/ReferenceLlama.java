package dev.switchboard.inference.cpu;

import dev.switchboard.inference.gguf.GgufFile;
import dev.switchboard.inference.gguf.GgufTensor;
import dev.switchboard.inference.model.LlamaConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Test oracle: the Llama forward pass in plain double-precision scalar code, one token at a time for one sequence,
 * weights dequantized by {@link ScalarDequant}. Written for clarity, not speed.
 */
final class ReferenceLlama {
    private final LlamaConfig c;
    private final double[][] embedding;
    private final double[][] output;
    private final double[] outputNorm;
    private final Layer[] layers;
    private final double[] freqs;
    private final List<double[]>[] keys;
    private final List<double[]>[] values;

    private record Layer(double[] attnNorm, double[][] wq, double[][] wk, double[][] wv, double[][] wo,
                         double[] ffnNorm, double[][] gate, double[][] up, double[][] down) {}

    @SuppressWarnings("unchecked")
    ReferenceLlama(GgufFile f, LlamaConfig config) {
        this.c = config;
        embedding = ScalarDequant.matrix(f.tensor("token_embd.weight"));
        output = f.tensors().containsKey("output.weight") ? ScalarDequant.matrix(f.tensor("output.weight")) : embedding;
        outputNorm = ScalarDequant.row(f.tensor("output_norm.weight"), 0);
        layers = new Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "blk." + l + ".";
            layers[l] = new Layer(ScalarDequant.row(f.tensor(p + "attn_norm.weight"), 0),
                    ScalarDequant.matrix(f.tensor(p + "attn_q.weight")), ScalarDequant.matrix(f.tensor(p + "attn_k.weight")),
                    ScalarDequant.matrix(f.tensor(p + "attn_v.weight")), ScalarDequant.matrix(f.tensor(p + "attn_output.weight")),
                    ScalarDequant.row(f.tensor(p + "ffn_norm.weight"), 0),
                    ScalarDequant.matrix(f.tensor(p + "ffn_gate.weight")), ScalarDequant.matrix(f.tensor(p + "ffn_up.weight")),
                    ScalarDequant.matrix(f.tensor(p + "ffn_down.weight")));
        }
        int hs = c.dim() / c.heads();
        freqs = new double[hs / 2];
        GgufTensor ropeFreqs = f.tensors().get("rope_freqs.weight");
        for (int i = 0; i < freqs.length; i++) {
            double freq = Math.pow(c.ropeTheta(), -2.0 * i / hs);
            if (ropeFreqs != null) {
                freq /= ScalarDequant.row(ropeFreqs, 0)[i];
            } else if (c.ropeScaling() != null) {
                freq = llama31(freq, c.ropeScaling());
            }
            freqs[i] = freq;
        }
        keys = new List[c.layers()];
        values = new List[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            keys[l] = new ArrayList<>();
            values[l] = new ArrayList<>();
        }
    }

    /** Meta's apply_scaling, spelled out. */
    static double llama31(double freq, LlamaConfig.RopeScaling s) {
        double wavelen = 2 * Math.PI / freq;
        if (wavelen < s.originalContextLength() / s.highFreqFactor()) {
            return freq;
        }
        if (wavelen > s.originalContextLength() / s.lowFreqFactor()) {
            return freq / s.factor();
        }
        double smooth = (s.originalContextLength() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
        return (1 - smooth) * freq / s.factor() + smooth * freq;
    }

    /** Feeds the next token of the sequence (at position = tokens fed so far) and returns its logits. */
    double[] step(int token) {
        int pos = keys[0].size();
        int dim = c.dim(), hs = dim / c.heads(), group = c.heads() / c.kvHeads();
        double[] x = embedding[token].clone();
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            double[] h = norm(x, w.attnNorm);
            double[] q = rope(mul(w.wq, h), pos, hs);
            double[] k = rope(mul(w.wk, h), pos, hs);
            keys[l].add(k);
            values[l].add(mul(w.wv, h));
            double[] att = new double[dim];
            for (int head = 0; head < c.heads(); head++) {
                int kvBase = head / group * hs;
                double[] scores = new double[pos + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p <= pos; p++) {
                    double s = 0;
                    for (int i = 0; i < hs; i++) {
                        s += q[head * hs + i] * keys[l].get(p)[kvBase + i];
                    }
                    scores[p] = s / Math.sqrt(hs);
                    max = Math.max(max, scores[p]);
                }
                double sum = 0;
                for (int p = 0; p <= pos; p++) {
                    scores[p] = Math.exp(scores[p] - max);
                    sum += scores[p];
                }
                for (int p = 0; p <= pos; p++) {
                    for (int i = 0; i < hs; i++) {
                        att[head * hs + i] += scores[p] / sum * values[l].get(p)[kvBase + i];
                    }
                }
            }
            add(x, mul(w.wo, att));
            h = norm(x, w.ffnNorm);
            double[] g = mul(w.gate, h), u = mul(w.up, h);
            for (int i = 0; i < g.length; i++) {
                g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
            }
            add(x, mul(w.down, g));
        }
        return mul(output, norm(x, outputNorm));
    }

    private double[] rope(double[] v, int pos, int hs) {
        for (int base = 0; base < v.length; base += hs) {
            for (int i = 0; i < hs / 2; i++) {
                double angle = pos * freqs[i], cos = Math.cos(angle), sin = Math.sin(angle);
                double a = v[base + 2 * i], b = v[base + 2 * i + 1];
                v[base + 2 * i] = a * cos - b * sin;
                v[base + 2 * i + 1] = a * sin + b * cos;
            }
        }
        return v;
    }

    private double[] norm(double[] x, double[] weight) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double scale = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * weight[i];
        }
        return out;
    }

    private static double[] mul(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int r = 0; r < m.length; r++) {
            double s = 0;
            for (int i = 0; i < v.length; i++) {
                s += m[r][i] * v[i];
            }
            out[r] = s;
        }
        return out;
    }

    private static void add(double[] acc, double[] delta) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += delta[i];
        }
    }
}
