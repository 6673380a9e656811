package org.edgesbc.core.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import javax.sip.address.URI;
import org.edgesbc.core.registrar.BindingTable.Change;
import org.edgesbc.core.registrar.BindingTable.Status;
import org.junit.jupiter.api.Test;

/** The binding table as RFC 3261 §10.3 steps 6 to 8 describe a registrar's processing of a REGISTER. */
class BindingTableTest {
    private static final AddressFactoryImpl ADDRESSES = new AddressFactoryImpl();
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final String ALICE = "1001";
    private static final String BOB = "1002";

    private final TestFlow udp = TestFlow.udp("192.0.2.10", 5060);
    private final BindingTable table = new BindingTable(100, 10);

    // ------------------------------------------------------------------------------------- add and refresh

    @Test
    void firstRegisterAddsTheBinding() {
        Change change = apply(table, ALICE, "c1", 1, contact("sip:1001@192.168.1.10:5060", 60), T0);

        assertThat(change.status()).isEqualTo(Status.OK);
        assertThat(change.added()).isEqualTo(1);
        assertThat(change.refreshed()).isZero();
        assertThat(change.removed()).isZero();
        assertThat(change.bindings()).hasSize(1);
        Binding binding = table.lookup(ALICE).get(0);
        assertThat(binding.aor()).isEqualTo(ALICE);
        assertThat(binding.key()).isEqualTo("sip:1001@192.168.1.10:5060");
        assertThat(binding.contact().toString()).isEqualTo("sip:1001@192.168.1.10:5060");
        assertThat(binding.flow()).isSameAs(udp);
        assertThat(binding.zone()).isEqualTo("access");
        assertThat(binding.callId()).isEqualTo("c1");
        assertThat(binding.cseq()).isEqualTo(1);
        assertThat(binding.registered()).isEqualTo(T0);
        assertThat(binding.expires()).isEqualTo(T0.plusSeconds(60));
        assertThat(binding.secondsLeft(T0)).isEqualTo(60);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.aors()).isEqualTo(1);
    }

    @Test
    void refreshWithHigherCseqKeepsRegisteredAndMovesExpires() {
        apply(table, ALICE, "c1", 1, contact("sip:1001@192.168.1.10:5060", 60), T0);

        Change change = apply(table, ALICE, "c1", 2, contact("sip:1001@192.168.1.10:5060", 60), T0.plusSeconds(50));

        assertThat(change.status()).isEqualTo(Status.OK);
        assertThat(change.added()).isZero();
        assertThat(change.refreshed()).isEqualTo(1);
        assertThat(change.removed()).isZero();
        Binding binding = table.lookup(ALICE).get(0);
        assertThat(binding.registered()).isEqualTo(T0);
        assertThat(binding.expires()).isEqualTo(T0.plusSeconds(110));
        assertThat(binding.cseq()).isEqualTo(2);
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void refreshedBindingExpiresOnlyAtItsNewExpiry() {
        apply(table, ALICE, "c1", 1, contact("sip:1001@192.168.1.10:5060", 60), T0);
        apply(table, ALICE, "c1", 2, contact("sip:1001@192.168.1.10:5060", 60), T0.plusSeconds(50));

        assertThat(table.expire(T0.plusSeconds(60))).isEmpty();
        assertThat(table.expire(T0.plusSeconds(110))).hasSize(1);
        assertThat(table.size()).isZero();
    }

    @Test
    void anAorHoldsSeveralContacts() {
        Change first = apply(table, ALICE, "desk", 1, contact("sip:1001@192.168.1.10:5060", 60), T0);
        Change second = apply(table, ALICE, "mobile", 1, contact("sip:1001@10.0.0.7:5062", 120), T0);

        assertThat(first.added()).isEqualTo(1);
        assertThat(second.added()).isEqualTo(1);
        assertThat(second.bindings()).extracting(Binding::key)
                .containsExactly("sip:1001@192.168.1.10:5060", "sip:1001@10.0.0.7:5062");
        assertThat(table.lookup(ALICE)).hasSize(2);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.aors()).isEqualTo(1);
    }

    @Test
    void oneRegisterMayAddSeveralContacts() {
        Change change = apply(table, ALICE, "c1", 1, List.of(contact("sip:1001@192.168.1.10:5060", 60),
                contact("sip:1001@192.168.1.10:5070", 60)), T0);

        assertThat(change.status()).isEqualTo(Status.OK);
        assertThat(change.added()).isEqualTo(2);
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void lookupOfAnUnknownAorIsEmpty() {
        assertThat(table.lookup("nobody")).isEmpty();
        assertThat(table.all()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------- removal

    @Test
    void expiresZeroRemovesOnlyThatContact() {
        apply(table, ALICE, "c1", 1, List.of(contact("sip:1001@192.168.1.10:5060", 60),
                contact("sip:1001@192.168.1.10:5070", 60)), T0);

        Change change = apply(table, ALICE, "c1", 2, contact("sip:1001@192.168.1.10:5060", 0), T0.plusSeconds(1));

        assertThat(change.status()).isEqualTo(Status.OK);
        assertThat(change.removed()).isEqualTo(1);
        assertThat(change.added()).isZero();
        assertThat(change.refreshed()).isZero();
        assertThat(table.lookup(ALICE)).extracting(Binding::key).containsExactly("sip:1001@192.168.1.10:5070");
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void removingTheLastContactForgetsTheAor() {
        apply(table, ALICE, "c1", 1, contact("sip:1001@192.168.1.10:5060", 60), T0);

        Change change = apply(table, ALICE, "c1", 2, contact("sip:1001@192.168.1.10:5060", 0), T0);

        assertThat(change.bindings()).isEmpty();
        assertThat(change.removed()).isEqualTo(1);
        assertThat(table.size()).isZero();
        assertThat(table.aors()).isZero();
        assertThat(table.expire(T0.plusSeconds(3600))).as("nothing left in the expiry index").isEmpty();
    }

    @Test
    void removingAnUnknownContactChangesNothing() {
        apply(table, ALICE, "c1", 1, contact("sip:1001@192.168.1.10:5060", 60), T0);

        Change change = apply(table, ALICE, "c2", 1, contact("sip:1001@10.9.9.9:5060", 0), T0);

        assertThat(change.status()).isEqualTo(Status.OK);
        assertThat(change.removed()).isZero();
        assertThat(table.lookup(ALICE)).hasSize(1);
    }

    @Test
    void wildcardRemovesEveryBindingOfTheAorAndNoOther() {
        apply(table, ALICE, "desk", 1, contact("sip:1001@192.168.1.10:5060", 60), T0);
        apply(table, ALICE, "mobile", 7, contact("sip:1001@10.0.0.7:5062", 60), T0);
        apply(table, BOB, "bob", 1, contact("sip:1002@192.168.1.11:5060", 60), T0);

        Change change = table.apply(ALICE, "desk", 2, true, List.of(), udp, "access", T0.plusSeconds(1));

        assertThat(change.status()).isEqualTo(Status.OK);
        assertThat(change.removed()).isEqualTo(2);
        assertThat(change.bindings()).isEmpty();
        assertThat(table.lookup(ALICE)).isEmpty();
        assertThat(table.lookup(BOB)).hasSize(1);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.aors()).isEqualTo(1);
    }

    @Test
    void wildcardOutOfOrderForAnyBindingIsRefused() {
        apply(table, ALICE, "desk", 5, contact("sip:1001@192.168.1.10:5060", 60), T0);
        apply(table, ALICE, "mobile", 1, contact("sip:1001@10.0.0.7:5062", 60), T0);
        List<Binding> before = table.lookup(ALICE);

        Change change = table.apply(ALICE, "desk", 4, true, List.of(), udp, "access", T0);

        assertThat(change.status()).isEqualTo(Status.OUT_OF_ORDER);
        assertThat(table.lookup(ALICE)).isEqualTo(before);
        assertThat(table.size()).isEqualTo(2);
    }

    // ------------------------------------------------------------------------------------ Call-ID and CSeq

    @Test
    void lowerOrEqualCseqWithTheSameCallIdIsOutOfOrderAndChangesNothing() {
        apply(table, ALICE, "c1", 5, contact("sip:1001@192.168.1.10:5060", 60), T0);
        List<Binding> before = table.lookup(ALICE);

        Change lower = apply(table, ALICE, "c1", 4, contact("sip:1001@192.168.1.10:5060", 3600), T0.plusSeconds(5));
        Change equal = apply(table, ALICE, "c1", 5, contact("sip:1001@192.168.1.10:5060", 0), T0.plusSeconds(5));

        for (Change change : List.of(lower, equal)) {
            assertThat(change.status()).isEqualTo(Status.OUT_OF_ORDER);
            assertThat(change.bindings()).isEqualTo(before);
            assertThat(change.added() + change.refreshed() + change.removed()).isZero();
        }
        assertThat(table.lookup(ALICE)).isSameAs(before);
        assertThat(table.lookup(ALICE).get(0).expires()).isEqualTo(T0.plusSeconds(60));
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.expire(T0.plusSeconds(60))).as("the expiry index is unchanged too").hasSize(1);
    }

    @Test
    void outOfOrderContactRefusesTheWholeRequest() {
        apply(table, ALICE, "c1", 5, contact("sip:1001@192.168.1.10:5060", 60), T0);

        Change change = apply(table, ALICE, "c1", 3, List.of(contact("sip:1001@10.0.0.7:5062", 60),
                contact("sip:1001@192.168.1.10:5060", 60)), T0);

        assertThat(change.status()).isEqualTo(Status.OUT_OF_ORDER);
        assertThat(table.lookup(ALICE)).extracting(Binding::key).containsExactly("sip:1001@192.168.1.10:5060");
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void differentCallIdReplacesTheBindingWhateverItsCseq() {
        apply(table, ALICE, "c1", 5, contact("sip:1001@192.168.1.10:5060", 60), T0);

        Change change = apply(table, ALICE, "c2", 1, contact("sip:1001@192.168.1.10:5060", 120), T0.plusSeconds(10));

        assertThat(change.status()).isEqualTo(Status.OK);
        assertThat(change.refreshed()).isEqualTo(1);
        Binding binding = table.lookup(ALICE).get(0);
        assertThat(binding.callId()).isEqualTo("c2");
        assertThat(binding.cseq()).isEqualTo(1);
        assertThat(binding.registered()).isEqualTo(T0);
        assertThat(binding.expires()).isEqualTo(T0.plusSeconds(130));
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void differentCallIdWithExpiresZeroRemoves() {
        apply(table, ALICE, "c1", 5, contact("sip:1001@192.168.1.10:5060", 60), T0);

        Change change = apply(table, ALICE, "c2", 1, contact("sip:1001@192.168.1.10:5060", 0), T0);

        assertThat(change.status()).isEqualTo(Status.OK);
        assertThat(change.removed()).isEqualTo(1);
        assertThat(table.lookup(ALICE)).isEmpty();
    }

    // ----------------------------------------------------------------------------------------------- bounds

    @Test
    void growingAnAorBeyondItsBoundIsRefusedAndChangesNothing() {
        BindingTable small = new BindingTable(100, 2);
        apply(small, ALICE, "c1", 1, List.of(contact("sip:1001@192.168.1.10:5060", 60),
                contact("sip:1001@192.168.1.10:5070", 60)), T0);

        Change change = apply(small, ALICE, "c3", 1, contact("sip:1001@192.168.1.10:5080", 60), T0);

        assertThat(change.status()).isEqualTo(Status.TOO_MANY_CONTACTS);
        assertThat(small.lookup(ALICE)).hasSize(2);
        assertThat(small.size()).isEqualTo(2);
    }

    @Test
    void aRequestWithMoreContactsThanTheBoundIsRefused() {
        BindingTable small = new BindingTable(100, 2);

        Change change = apply(small, ALICE, "c1", 1, List.of(contact("sip:1001@192.168.1.10:5060", 60),
                contact("sip:1001@192.168.1.10:5070", 60), contact("sip:1001@192.168.1.10:5080", 60)), T0);

        assertThat(change.status()).isEqualTo(Status.TOO_MANY_CONTACTS);
        assertThat(small.size()).isZero();
        assertThat(small.aors()).isZero();
    }

    @Test
    void perAorBoundIsOnlyEnforcedWhenTheAorGrows() {
        BindingTable small = new BindingTable(100, 2);
        apply(small, ALICE, "c1", 1, List.of(contact("sip:1001@192.168.1.10:5060", 60),
                contact("sip:1001@192.168.1.10:5070", 60)), T0);

        Change refresh = apply(small, ALICE, "c1", 2, List.of(contact("sip:1001@192.168.1.10:5060", 60),
                contact("sip:1001@192.168.1.10:5070", 60)), T0.plusSeconds(30));
        Change swap = apply(small, ALICE, "c1", 3, List.of(contact("sip:1001@192.168.1.10:5060", 0),
                contact("sip:1001@192.168.1.10:5080", 60)), T0.plusSeconds(31));

        assertThat(refresh.status()).isEqualTo(Status.OK);
        assertThat(refresh.refreshed()).isEqualTo(2);
        assertThat(swap.status()).isEqualTo(Status.OK);
        assertThat(swap.added()).isEqualTo(1);
        assertThat(swap.removed()).isEqualTo(1);
        assertThat(small.lookup(ALICE)).extracting(Binding::key)
                .containsExactlyInAnyOrder("sip:1001@192.168.1.10:5070", "sip:1001@192.168.1.10:5080");
    }

    @Test
    void growingBeyondTheTotalBoundIsTableFull() {
        BindingTable small = new BindingTable(3, 10);
        apply(small, ALICE, "a", 1, List.of(contact("sip:1001@192.168.1.10:5060", 60),
                contact("sip:1001@192.168.1.10:5070", 60)), T0);
        apply(small, BOB, "b", 1, contact("sip:1002@192.168.1.11:5060", 60), T0);

        Change newAor = apply(small, "1003", "c", 1, contact("sip:1003@192.168.1.12:5060", 60), T0);
        Change newContact = apply(small, BOB, "b2", 1, contact("sip:1002@10.0.0.8:5060", 60), T0);
        Change refresh = apply(small, BOB, "b", 2, contact("sip:1002@192.168.1.11:5060", 60), T0.plusSeconds(1));

        assertThat(newAor.status()).isEqualTo(Status.TABLE_FULL);
        assertThat(newContact.status()).isEqualTo(Status.TABLE_FULL);
        assertThat(refresh.status()).as("a full table still takes refreshes").isEqualTo(Status.OK);
        assertThat(small.lookup("1003")).isEmpty();
        assertThat(small.lookup(BOB)).hasSize(1);
        assertThat(small.size()).isEqualTo(3);
        assertThat(small.aors()).isEqualTo(2);
    }

    @Test
    void roomFreedByARemovalCanBeTakenAgain() {
        BindingTable small = new BindingTable(1, 10);
        apply(small, ALICE, "a", 1, contact("sip:1001@192.168.1.10:5060", 60), T0);
        apply(small, ALICE, "a", 2, contact("sip:1001@192.168.1.10:5060", 0), T0);

        Change change = apply(small, BOB, "b", 1, contact("sip:1002@192.168.1.11:5060", 60), T0);

        assertThat(change.status()).isEqualTo(Status.OK);
        assertThat(small.size()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------------ expiry

    @Test
    void expireRemovesExactlyTheExpiredBindings() {
        apply(table, ALICE, "a1", 1, contact("sip:1001@192.168.1.10:5060", 30), T0);
        apply(table, ALICE, "a2", 1, contact("sip:1001@192.168.1.10:5070", 90), T0);
        apply(table, BOB, "b", 1, contact("sip:1002@192.168.1.11:5060", 60), T0);
        apply(table, "1003", "c", 1, contact("sip:1003@192.168.1.12:5060", 61), T0);

        assertThat(table.expire(T0.plusSeconds(29))).isEmpty();
        List<Binding> expired = table.expire(T0.plusSeconds(60));

        assertThat(expired).extracting(Binding::aor, Binding::key).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(ALICE, "sip:1001@192.168.1.10:5060"),
                org.assertj.core.groups.Tuple.tuple(BOB, "sip:1002@192.168.1.11:5060"));
        assertThat(table.lookup(ALICE)).extracting(Binding::key).containsExactly("sip:1001@192.168.1.10:5070");
        assertThat(table.lookup(BOB)).isEmpty();
        assertThat(table.lookup("1003")).hasSize(1);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.aors()).isEqualTo(2);
        assertThat(table.expire(T0.plusSeconds(60))).as("an expired binding goes only once").isEmpty();
        assertThat(table.expire(T0.plusSeconds(90))).hasSize(2);
        assertThat(table.size()).isZero();
        assertThat(table.aors()).isZero();
    }

    @Test
    void bindingsExpiringAtTheSameInstantAllGo() {
        for (int i = 0; i < 5; i++) {
            apply(table, "10" + i, "c" + i, 1, contact("sip:10" + i + "@192.168.1.10:5060", 60), T0);
        }

        assertThat(table.expire(T0.plusSeconds(60))).hasSize(5);
        assertThat(table.size()).isZero();
    }

    // ------------------------------------------------------------------------------------------------- flows

    @Test
    void removeFlowRemovesTheBindingsOfThatConnectionOnly() {
        TestFlow tcp = TestFlow.tcp("198.51.100.20", 40001);
        TestFlow otherTcp = TestFlow.tcp("198.51.100.21", 40002);
        table.apply(ALICE, "a1", 1, false, List.of(contact("sip:1001@10.0.0.5:5060;transport=tcp", 600)), tcp,
                "access", T0);
        table.apply(BOB, "b1", 1, false, List.of(contact("sip:1002@10.0.0.6:5060;transport=tcp", 600)), tcp,
                "access", T0);
        table.apply(ALICE, "a2", 1, false, List.of(contact("sip:1001@10.0.0.9:5060;transport=tcp", 600)), otherTcp,
                "access", T0);
        apply(table, BOB, "b2", 1, contact("sip:1002@192.168.1.11:5060", 60), T0);

        List<Binding> removed = table.removeFlow(tcp);

        assertThat(removed).extracting(Binding::aor).containsExactlyInAnyOrder(ALICE, BOB);
        assertThat(removed).allSatisfy(b -> assertThat(b.flow()).isSameAs(tcp));
        assertThat(table.lookup(ALICE)).extracting(Binding::flow).containsExactly(otherTcp);
        assertThat(table.lookup(BOB)).extracting(Binding::flow).containsExactly(udp);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.removeFlow(tcp)).isEmpty();
        assertThat(table.expire(T0.plusSeconds(600))).as("removed bindings left the expiry index").hasSize(2);
    }

    @Test
    void removeFlowOfAUdpFlowRemovesNothing() {
        apply(table, ALICE, "a", 1, contact("sip:1001@192.168.1.10:5060", 60), T0);

        assertThat(table.removeFlow(udp)).isEmpty();
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void aBindingThatMovedToAnotherConnectionIsNotRemovedWithTheOldOne() {
        TestFlow first = TestFlow.tcp("198.51.100.20", 40001);
        TestFlow second = TestFlow.tcp("198.51.100.20", 40002);
        table.apply(ALICE, "a", 1, false, List.of(contact("sip:1001@10.0.0.5:5060;transport=tcp", 600)), first,
                "access", T0);
        table.apply(ALICE, "a", 2, false, List.of(contact("sip:1001@10.0.0.5:5060;transport=tcp", 600)), second,
                "access", T0.plusSeconds(10));

        assertThat(table.removeFlow(first)).isEmpty();
        assertThat(table.lookup(ALICE)).extracting(Binding::flow).containsExactly(second);
        assertThat(table.removeFlow(second)).hasSize(1);
        assertThat(table.size()).isZero();
    }

    // ----------------------------------------------------------------------------------------------- removal

    @Test
    void removeByKeyOrWholeAor() {
        apply(table, ALICE, "a", 1, List.of(contact("sip:1001@192.168.1.10:5060", 60),
                contact("sip:1001@192.168.1.10:5070", 60)), T0);
        apply(table, BOB, "b", 1, contact("sip:1002@192.168.1.11:5060", 60), T0);

        assertThat(table.remove(ALICE, "sip:1001@192.168.1.10:5060")).hasSize(1);
        assertThat(table.lookup(ALICE)).hasSize(1);
        assertThat(table.remove(BOB, null)).hasSize(1);
        assertThat(table.remove("nobody", null)).isEmpty();
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.aors()).isEqualTo(1);
        assertThat(table.all()).extracting(Binding::key).containsExactly("sip:1001@192.168.1.10:5070");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Change apply(BindingTable target, String aor, String callId, long cseq, RequestedContact contact,
            Instant now) {
        return apply(target, aor, callId, cseq, List.of(contact), now);
    }

    private Change apply(BindingTable target, String aor, String callId, long cseq, List<RequestedContact> contacts,
            Instant now) {
        return target.apply(aor, callId, cseq, false, contacts, udp, "access", now);
    }

    static RequestedContact contact(String uri, long expires) {
        URI parsed = uri(uri);
        return new RequestedContact(parsed, parsed.toString(), expires);
    }

    static URI uri(String text) {
        try {
            return ADDRESSES.createURI(text);
        } catch (ParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
