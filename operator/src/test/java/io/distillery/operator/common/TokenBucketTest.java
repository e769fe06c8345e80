package io.distillery.operator.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** On a clock the test moves: the burst goes at once, then one request per 1/qps seconds. */
class TokenBucketTest {
  private static final long MS = 1_000_000;

  final AtomicLong now = new AtomicLong(5_000 * MS);

  @Test
  void aBurstGoesAtOnceAndTheRestIsSpacedAtTheRate() {
    TokenBucket bucket = new TokenBucket(10, 3, now::get);

    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      waits.add(bucket.reserve() / MS);
    }

    assertThat(waits).containsExactly(0L, 0L, 0L, 100L, 200L, 300L);
  }

  @Test
  void requestsDueWithinASecondAreTheBurstPlusTheRate() {
    TokenBucket bucket = new TokenBucket(50, 20, now::get);
    long start = now.get();
    int dueWithinASecond = 0;
    // 500 requests arrive every 2 ms; each is due when its wait ends.
    for (int i = 0; i < 500; i++) {
      long due = now.get() + bucket.reserve();
      if (due - start <= 1_000 * MS) {
        dueWithinASecond++;
      }
      now.addAndGet(2 * MS);
    }
    assertThat(dueWithinASecond).isEqualTo(20 + 50);
  }

  @Test
  void tokensReturnWithTimeButNeverAboveTheBurst() {
    TokenBucket bucket = new TokenBucket(10, 3, now::get);
    for (int i = 0; i < 5; i++) {
      bucket.reserve();
    }
    // Two tokens were taken ahead; 200 ms pay them back, so the next waits one interval.
    now.addAndGet(200 * MS);
    assertThat(bucket.reserve() / MS).isEqualTo(100);

    now.addAndGet(60_000 * MS);
    assertThat(List.of(bucket.reserve(), bucket.reserve(), bucket.reserve())).containsOnly(0L);
    assertThat(bucket.reserve() / MS).isEqualTo(100);
  }

  @Test
  void refusesARateOrBurstThatLimitsNothing() {
    assertThatThrownBy(() -> new TokenBucket(0, 1)).hasMessageContaining("qps");
    assertThatThrownBy(() -> new TokenBucket(5, 0)).hasMessageContaining("burst");
  }
}
