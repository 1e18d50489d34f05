package dev.trace2skill.core.importers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InstructionTemplatesTest {
    static InstructionTemplates.Unwrapped u(String text) {
        return InstructionTemplates.unwrap(text);
    }

    @Test
    void alpacaWithAndWithoutInput() {
        var plain = u("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
                + "### Instruction:\nName the capital of Freedonia.\n\n### Response:\nMarxburg");
        assertThat(plain.template()).isEqualTo("alpaca");
        assertThat(plain.system()).startsWith("Below is an instruction");
        assertThat(plain.user()).isEqualTo("Name the capital of Freedonia.");
        assertThat(plain.response()).isEqualTo("Marxburg");

        var input = u("### Instruction:\nTranslate to French.\n\n### Input:\nGood morning\n\n### Response:\nBonjour\n### Note: kept");
        assertThat(input.user()).isEqualTo("Translate to French.\n\nGood morning");
        assertThat(input.system()).isNull();
        assertThat(input.response()).as("the response runs to the end").isEqualTo("Bonjour\n### Note: kept");

        var human = u("### Human: What is 2+2?\n### Assistant: 4");
        assertThat(human.user()).isEqualTo("What is 2+2?");
        assertThat(human.response()).isEqualTo("4");
    }

    @Test
    void roleTaggedTemplates() {
        var chatml = u("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>");
        assertThat(chatml.template()).isEqualTo("chatml");
        assertThat(chatml.system()).isEqualTo("You are terse.");
        assertThat(chatml.user()).isEqualTo("What is 2+2?");
        assertThat(chatml.response()).isEqualTo("4");

        var llama3 = u("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe kind.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                + "Hi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>");
        assertThat(llama3.template()).isEqualTo("llama3");
        assertThat(llama3.system()).isEqualTo("Be kind.");
        assertThat(llama3.user()).isEqualTo("Hi there");
        assertThat(llama3.response()).isEqualTo("Hello!");

        var gemma = u("<start_of_turn>user\nCount to three.<end_of_turn>\n<start_of_turn>model\n1 2 3<end_of_turn>");
        assertThat(gemma.template()).isEqualTo("gemma");
        assertThat(gemma.user()).isEqualTo("Count to three.");
        assertThat(gemma.response()).isEqualTo("1 2 3");

        var llama2 = u("<s>[INST] <<SYS>>\nAnswer briefly.\n<</SYS>>\n\nWho wrote Hamlet? [/INST] Shakespeare");
        assertThat(llama2.template()).isEqualTo("llama2");
        assertThat(llama2.system()).isEqualTo("Answer briefly.");
        assertThat(llama2.user()).isEqualTo("Who wrote Hamlet?");
        assertThat(llama2.response()).isEqualTo("Shakespeare");

        var vicuna = u("A chat between a curious user and an assistant. USER: Name a prime. ASSISTANT: 7");
        assertThat(vicuna.template()).isEqualTo("vicuna");
        assertThat(vicuna.system()).isEqualTo("A chat between a curious user and an assistant.");
        assertThat(vicuna.user()).isEqualTo("Name a prime.");
        assertThat(vicuna.response()).isEqualTo("7");
    }

    @Test
    void plainTextIsLeftAlone() {
        var plain = u("Who created the show with Wendy Schaal doing the voice of Francine?");
        assertThat(plain.wrapped()).isFalse();
        assertThat(plain.user()).isEqualTo("Who created the show with Wendy Schaal doing the voice of Francine?");
        assertThat(u("### Notes\nnothing here").wrapped()).as("a Markdown heading is not a template").isFalse();
    }
}
