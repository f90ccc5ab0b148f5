package dev.switchboard.conversation;

import dev.switchboard.common.ApiException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * An image's size, read from its header before any pixel is decoded, and a small PNG thumbnail. An image of more
 * pixels than allowed is refused unread (a few KB of PNG can claim 50,000 x 50,000 pixels: a decompression bomb),
 * and the thumbnail decodes a subsample of the pixels, so memory stays near the thumbnail's size.
 */
final class ImageInspector {

    /** The thumbnail's longest side. */
    static final int THUMBNAIL = 240;

    record Inspected(int width, int height, byte[] thumbnail) {}

    private ImageInspector() {}

    /** Throws a 400 naming the problem when the image is unreadable or has more than {@code maxPixels} pixels. */
    static Inspected inspect(byte[] data, AttachmentType type, long maxPixels) {
        if (type == AttachmentType.WEBP) {
            // The JDK has no WebP decoder: the size comes from the header, the browser shows the image itself.
            int[] size = webpSize(data);
            checkPixels(size[0], size[1], maxPixels);
            return new Inspected(size[0], size[1], null);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw unreadable(type);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkPixels(width, height, maxPixels);
                ImageReadParam param = reader.getDefaultReadParam();
                int step = Math.max(1, Math.max(width, height) / (THUMBNAIL * 2));
                param.setSourceSubsampling(step, step, 0, 0);
                return new Inspected(width, height, thumbnail(reader.read(0, param)));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw unreadable(type);
        }
    }

    private static byte[] thumbnail(BufferedImage image) throws IOException {
        double scale = Math.min(1.0, (double) THUMBNAIL / Math.max(image.getWidth(), image.getHeight()));
        int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
        BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = small.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(small, "png", out);
        return out.toByteArray();
    }

    private static void checkPixels(long width, long height, long maxPixels) {
        if (width < 1 || height < 1 || width * height > maxPixels) {
            throw ApiException.badRequest("The image is " + width + " x " + height + " pixels; at most " + maxPixels
                    + " pixels are accepted");
        }
    }

    /** Width and height from a WebP header: VP8X (extended), VP8L (lossless) or VP8 (lossy). */
    static int[] webpSize(byte[] d) {
        if (d.length >= 30 && chunk(d, "VP8X")) {
            return new int[] {1 + u24(d, 24), 1 + u24(d, 27)};
        }
        if (d.length >= 25 && chunk(d, "VP8L") && (d[20] & 0xff) == 0x2f) {
            int bits = (d[21] & 0xff) | (d[22] & 0xff) << 8 | (d[23] & 0xff) << 16 | (d[24] & 0xff) << 24;
            return new int[] {1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff)};
        }
        if (d.length >= 30 && chunk(d, "VP8 ")) {
            return new int[] {u16(d, 26) & 0x3fff, u16(d, 28) & 0x3fff};
        }
        throw unreadable(AttachmentType.WEBP);
    }

    private static boolean chunk(byte[] d, String fourcc) {
        for (int i = 0; i < 4; i++) {
            if (d[12 + i] != fourcc.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] d, int at) {
        return (d[at] & 0xff) | (d[at + 1] & 0xff) << 8;
    }

    private static int u24(byte[] d, int at) {
        return (d[at] & 0xff) | (d[at + 1] & 0xff) << 8 | (d[at + 2] & 0xff) << 16;
    }

    private static ApiException unreadable(AttachmentType type) {
        return ApiException.badRequest("The file starts like a " + type.extension.toUpperCase(java.util.Locale.ROOT)
                + " image but cannot be read as one");
    }
}
