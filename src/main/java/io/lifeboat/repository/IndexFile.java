package io.lifeboat.repository;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The plaintext of an index object (and of a pack's own header): for each pack, its name and the
 * entries it holds. Binary and fixed-size per entry, big-endian:
 * magic "LBIX", version 1, then per pack: 32-byte pack hash, u32 count, count x (id, u32 offset,
 * u32 length, u32 raw length).
 */
public final class IndexFile {
    /** Packs one index object names at most: backups and prune write no more, so few objects hold a large index. */
    public static final int PACKS_PER_OBJECT = 4096;
    private static final byte[] MAGIC = "LBIX".getBytes(StandardCharsets.US_ASCII);
    private static final java.util.HexFormat HEX = java.util.HexFormat.of();

    public record Pack(String name, List<PackEntry> entries) {
    }

    private IndexFile() {
    }

    public static byte[] encode(List<Pack> packs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(1);
            for (Pack p : packs) {
                out.write(HEX.parseHex(p.name()));
                out.writeInt(p.entries().size());
                for (PackEntry e : p.entries()) {
                    out.write(e.id().raw());
                    out.writeInt((int) e.offset());
                    out.writeInt(e.length());
                    out.writeInt(e.rawLength());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    public static List<Pack> decode(byte[] data) {
        List<Pack> packs = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
            byte[] magic = in.readNBytes(4);
            if (!java.util.Arrays.equals(magic, MAGIC) || in.readUnsignedByte() != 1) {
                throw new IOException("not a version 1 index");
            }
            while (in.available() > 0) {
                String name = HEX.formatHex(in.readNBytes(32));
                int count = in.readInt();
                List<PackEntry> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    ChunkId id = new ChunkId(in.readNBytes(ChunkId.LENGTH));
                    entries.add(new PackEntry(id, Integer.toUnsignedLong(in.readInt()), in.readInt(), in.readInt()));
                }
                packs.add(new Pack(name, entries));
            }
        } catch (IOException | RuntimeException e) {
            throw new io.lifeboat.crypto.CorruptDataException("index is malformed: " + e);
        }
        return packs;
    }
}
